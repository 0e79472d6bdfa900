import type { AppConfig } from '../../config/app-config';
import { EVENT_TYPES, type EventField, type EventTypeSpec } from './event-types';

const CLOUD_EVENT_HEADERS = {
  specversion: { type: 'string', const: '1.0' },
  id: {
    type: 'string',
    format: 'uuid',
    description: 'Unique per event; consumers dedupe on it (at-least-once)',
  },
  source: { type: 'string', format: 'uri-reference' },
  type: { type: 'string', description: 'The event type (also the AMQP routing key)' },
  time: { type: 'string', format: 'date-time', description: 'When the state change was committed' },
  subject: { type: 'string', description: 'What the event is about; order is kept per subject' },
  datacontenttype: { type: 'string', const: 'application/json' },
  userid: { type: 'integer', description: 'The platform user the event belongs to' },
  sequence: { type: 'string', description: 'Position in the outbox (increasing)' },
};

function fieldSchema(field: EventField): Record<string, unknown> {
  return { type: field.nullable ? [field.type, 'null'] : field.type, description: field.description };
}

function messageOf(type: string, spec: EventTypeSpec): Record<string, unknown> {
  return {
    name: type,
    title: type,
    summary: spec.summary,
    description: `Produced by ${spec.producer}. Subject: \`${spec.subject}\`.`,
    contentType: 'application/cloudevents+json',
    payload: {
      type: 'object',
      required: ['specversion', 'id', 'source', 'type', 'time', 'subject', 'userid', 'data'],
      properties: {
        ...CLOUD_EVENT_HEADERS,
        type: { type: 'string', const: type },
        data: {
          type: 'object',
          properties: Object.fromEntries(Object.entries(spec.fields).map(([k, f]) => [k, fieldSchema(f)])),
        },
      },
    },
    examples: [{ name: 'example', payload: { specversion: '1.0', type, data: spec.example } }],
  };
}

const key = (type: string) => type.replace(/\./g, '_');

/**
 * The AsyncAPI 3.0 document of the events: one channel per routing key on the topic exchange
 * (AMQP binding), and the WebSocket at /api/v1/ws carrying every message wrapped as
 * `{"type":"event","event":…}`.
 */
export function asyncApiDocument(config: AppConfig): Record<string, unknown> {
  const types = Object.entries(EVENT_TYPES) as [string, EventTypeSpec][];
  const messages = Object.fromEntries(types.map(([type, spec]) => [key(type), messageOf(type, spec)]));
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const [type] of types) {
    channels[key(type)] = {
      address: type,
      description: `Routing key \`${type}\` on the topic exchange \`${config.events.exchange}\`.`,
      servers: [{ $ref: '#/servers/rabbitmq' }],
      messages: { [key(type)]: { $ref: `#/components/messages/${key(type)}` } },
      bindings: {
        amqp: {
          is: 'routingKey',
          exchange: {
            name: config.events.exchange,
            type: 'topic',
            durable: true,
            autoDelete: false,
            vhost: '/',
          },
          bindingVersion: '0.3.0',
        },
      },
    };
    operations[`publish_${key(type)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${key(type)}` },
      summary: EVENT_TYPES[type as keyof typeof EVENT_TYPES].summary,
    };
  }
  channels.websocket = {
    address: '/api/v1/ws',
    description:
      'Per-user real-time events. Authenticate with `Sec-WebSocket-Protocol: bearer, <token>` or a first message ' +
      '`{"type":"auth","token":"…","last_event_id"?:"…"}` within 5 s (else close 4401); filter with ' +
      '`{"type":"subscribe","types":["telegram.account.*"],"last_event_id"?:"…"}`. Each event arrives as ' +
      '`{"type":"event","event":<CloudEvent>}`.',
    servers: [{ $ref: '#/servers/websocket' }],
    messages: Object.fromEntries(
      types.map(([type]) => [key(type), { $ref: `#/components/messages/${key(type)}` }]),
    ),
  };
  operations.receive_websocket = {
    action: 'send',
    channel: { $ref: '#/channels/websocket' },
    summary: "The user's own events, pushed to each of their sockets",
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: `${config.appName} events`,
      version: config.version,
      description:
        'State changes of Telegram accounts, QR logins, bots, channels and messages as CloudEvents 1.0 (JSON), ' +
        'written to a transactional outbox in the same transaction as the change and relayed at least once.',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      rabbitmq: {
        host: 'rabbitmq:5672',
        protocol: 'amqp',
        protocolVersion: '0.9.1',
        description: 'AMQP_URL',
      },
      websocket: { host: `${config.host}:${config.port}`, protocol: 'ws', pathname: '/api/v1/ws' },
    },
    channels,
    operations,
    components: { messages },
  };
}
