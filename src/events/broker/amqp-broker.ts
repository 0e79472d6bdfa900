import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { withTimeout } from '../../common/util/with-timeout';
import { amqpSocketOptions } from '../../tls/tls-options';
import { EventHub } from '../hub/event-hub';
import { isCloudEvent, type CloudEvent } from '../outbox/cloud-event';
import type { EventSink } from '../relay/event-sink';

const CLOSE_TIMEOUT_MS = 2000;

/**
 * RabbitMQ through amqp-connection-manager (reconnects by itself, re-running each channel's setup):
 * a confirm channel publishing to the durable topic exchange (routing key = event type, persistent
 * messages), and a consumer on an exclusive, auto-deleted queue bound to the whole exchange that
 * feeds this replica's EventHub (its WebSocket clients). Only the one module that talks AMQP.
 */
@Injectable()
export class AmqpBroker implements EventSink, OnModuleInit, OnApplicationShutdown {
  private connection?: AmqpConnectionManager;
  private publisher?: ChannelWrapper;
  private consumer?: ChannelWrapper;
  private consuming = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: EventHub,
    @InjectPinoLogger(AmqpBroker.name) private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    const url = this.config.amqpUrl;
    // Also reached through the EVENT_SINK factory (Nest runs hooks on its value too): connect once.
    if (!url || this.connection) return;
    const { exchange } = this.config.events;
    const connection = amqp.connect([url], {
      heartbeatIntervalInSeconds: 2,
      reconnectTimeInSeconds: 1,
      // amqps://: verified TLS (CA, client certificate, server name) as AMQP_TLS_* configure it.
      connectionOptions: amqpSocketOptions(this.config.tls.rabbitmq),
    });
    connection.on('connect', () => this.logger.info('Connected to RabbitMQ'));
    connection.on('disconnect', ({ err }: { err?: Error }) =>
      this.logger.warn({ reason: err?.message }, 'RabbitMQ connection lost; reconnecting'),
    );
    // connectFailed repeats every second while the broker is away: logged once per outage by 'disconnect'.
    connection.on('connectFailed', () => undefined);
    this.connection = connection;
    this.publisher = connection.createChannel({
      confirm: true,
      setup: (channel: ConfirmChannel) => channel.assertExchange(exchange, 'topic', { durable: true }),
    });
    this.consumer = connection.createChannel({
      confirm: false,
      setup: async (channel: Channel) => {
        this.consuming = false;
        await channel.assertExchange(exchange, 'topic', { durable: true });
        const { queue } = await channel.assertQueue('', {
          exclusive: true,
          autoDelete: true,
          durable: false,
        });
        await channel.bindQueue(queue, exchange, '#');
        await channel.consume(queue, (message) => this.received(message), { noAck: true });
        this.consuming = true;
      },
    });
    // A failed setup is retried on the next reconnect; never an unhandled rejection.
    this.publisher.on('error', (err: Error) =>
      this.logger.warn({ reason: err.message }, 'RabbitMQ channel error'),
    );
    this.consumer.on('error', (err: Error) =>
      this.logger.warn({ reason: err.message }, 'RabbitMQ channel error'),
    );
  }

  /** AMQP_URL is set: events go through RabbitMQ (else the relay delivers in-process). */
  get enabled(): boolean {
    return this.config.amqpUrl !== undefined;
  }

  ready(): boolean {
    return this.connection?.isConnected() === true;
  }

  /** Whether this replica's consumer queue is bound (its sockets get events from other replicas). */
  isConsuming(): boolean {
    return this.ready() && this.consuming;
  }

  /** Publishes every event and resolves once the broker confirmed them all (rejects on nack or timeout). */
  async publish(events: readonly CloudEvent[]): Promise<void> {
    const publisher = this.publisher;
    if (!publisher || !this.ready()) throw new Error('RabbitMQ is not connected');
    const { exchange, publishTimeoutMs } = this.config.events;
    await Promise.all(
      events.map((event) =>
        publisher.publish(exchange, event.type, Buffer.from(JSON.stringify(event)), {
          persistent: true,
          contentType: 'application/cloudevents+json',
          messageId: event.id,
          type: event.type,
          timestamp: Math.floor(Date.parse(event.time) / 1000),
          timeout: publishTimeoutMs,
        }),
      ),
    );
  }

  private received(message: ConsumeMessage | null): void {
    if (!message) return;
    let event: unknown;
    try {
      event = JSON.parse(message.content.toString('utf8'));
    } catch {
      event = undefined;
    }
    if (isCloudEvent(event)) this.hub.deliver([event]);
    else
      this.logger.warn(
        { routing_key: message.fields.routingKey },
        'Ignored a message that is not one of our events',
      );
  }

  async onApplicationShutdown(): Promise<void> {
    const { connection, consumer, publisher } = this;
    this.connection = this.consumer = this.publisher = undefined;
    const closing = async () => {
      await consumer?.close();
      await publisher?.close();
      await connection?.close();
    };
    await withTimeout(closing(), CLOSE_TIMEOUT_MS, () => new Error('RabbitMQ close timed out')).catch(
      () => undefined,
    );
  }
}
