import { EventEmitter } from 'node:events';
import type { FastifyRequest } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import type { WebSocket } from 'ws';
import type { JwtVerifier } from '../../common/auth/jwt-verifier';
import type { FailedAuthLimiter } from '../../common/throttling/failed-auth-limiter';
import { readEventsConfig } from '../../config/events-config';
import { EnvReader } from '../../config/env';
import type { EventMetrics } from '../hub/event-metrics';
import type { CloudEvent } from '../outbox/cloud-event';
import type { OutboxRepository } from '../outbox/outbox.repository';
import type { OutboxRow } from '../outbox/cloud-event';
import { WsConnection, type WsContext } from './ws-connection';

class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  sent: string[] = [];
  terminated = false;
  pings = 0;
  closedWith?: number;
  send(data: string) {
    this.sent.push(data);
  }
  ping() {
    this.pings += 1;
  }
  terminate() {
    this.terminated = true;
  }
  close(code: number) {
    this.closedWith = code;
  }
}

const event = (userid: number, type = 'telegram.account.connected'): CloudEvent => ({
  specversion: '1.0',
  id: `${userid}-${type}`,
  source: '/test',
  type,
  time: new Date().toISOString(),
  subject: 'sessions/x',
  datacontenttype: 'application/json',
  userid,
  sequence: '1',
  data: {},
});

describe('WsConnection', () => {
  const dropped: string[] = [];
  const ctx = (outbox: Partial<OutboxRepository> = {}): WsContext => ({
    config: readEventsConfig(new EnvReader({ WS_MAX_BUFFERED_BYTES: '2048' })),
    source: '/test',
    messageLimit: { limit: 3, windowMs: 60_000 },
    verifier: {
      verify: (token: string) => (token === 'good' ? Promise.resolve(7) : Promise.reject(new Error('bad'))),
    } as unknown as JwtVerifier,
    failures: { count: () => Promise.resolve() } as unknown as FailedAuthLimiter,
    outbox: outbox as OutboxRepository,
    metrics: {
      pushed: { inc: () => undefined },
      dropped: { inc: ({ reason }: { reason: string }) => dropped.push(reason) },
    } as unknown as EventMetrics,
    logger: { info: () => undefined } as unknown as PinoLogger,
    throttle: (userId: number) => Promise.resolve(userId !== 9),
    admit: () => true,
    release: () => undefined,
  });
  const open = async (outbox?: Partial<OutboxRepository>) => {
    const socket = new FakeSocket();
    const request = {
      headers: { 'sec-websocket-protocol': 'bearer, good' },
      ip: '127.0.0.1',
    } as unknown as FastifyRequest;
    const connection = new WsConnection(socket as unknown as WebSocket, request, ctx(outbox));
    connection.start();
    await new Promise((r) => setImmediate(r));
    return { socket, connection };
  };

  beforeEach(() => dropped.splice(0));

  it('pushes its own user’s events only', async () => {
    const { socket, connection } = await open();
    connection.push(event(7));
    connection.push(event(8));
    const pushed = socket.sent.map((s) => JSON.parse(s) as { type: string; event?: CloudEvent });
    expect(pushed.map((m) => m.type)).toEqual(['authenticated', 'event']);
    expect(pushed[1].event?.userid).toBe(7);
  });

  it('drops a slow client (unsent bytes over WS_MAX_BUFFERED_BYTES) instead of buffering', async () => {
    const { socket, connection } = await open();
    socket.bufferedAmount = 4096;
    connection.push(event(7));
    expect(socket.terminated).toBe(true);
    expect(dropped).toEqual(['backpressure']);
    connection.push(event(7));
    expect(socket.sent).toHaveLength(1); // only `authenticated`
  });

  it('drops a client that did not answer the previous ping', async () => {
    const { socket, connection } = await open();
    connection.heartbeat();
    socket.emit('pong');
    connection.heartbeat();
    expect(socket.terminated).toBe(false);
    connection.heartbeat();
    expect(socket.terminated).toBe(true);
    expect(socket.pings).toBe(2);
    expect(dropped).toEqual(['ping_timeout']);
  });

  it('closes with 4429 past the message budget', async () => {
    const { socket } = await open();
    for (let i = 0; i < 4; i += 1) socket.emit('message', Buffer.from('{"type":"ping"}'), false);
    await new Promise((r) => setImmediate(r));
    expect(socket.closedWith).toBe(4429);
  });

  it('resume: a replayed event whose live copy arrives after the replay is sent once', async () => {
    const row = (id: string, seq: number): OutboxRow => ({
      id,
      type: 'telegram.account.code_sent',
      subject: 'sessions/x',
      userId: 7,
      seq: String(seq),
      data: {},
      createdAt: new Date(),
    });
    const [e1, e2, e3, e4] = [1, 2, 3, 4].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
    const { socket, connection } = await open({
      after: () => Promise.resolve([row(e2, 2), row(e3, 3)]),
    });
    socket.emit(
      'message',
      Buffer.from(JSON.stringify({ type: 'subscribe', types: [], last_event_id: e1 })),
      false,
    );
    await new Promise((r) => setImmediate(r));
    // The live copies of e2 and e3 reach this replica only now, then a new event e4.
    for (const id of [e2, e3, e4]) connection.push({ ...event(7, 'telegram.account.code_sent'), id });
    const events = socket.sent
      .map((s) => JSON.parse(s) as { type: string; event?: CloudEvent })
      .filter((m) => m.type === 'event')
      .map((m) => m.event?.id);
    expect(events).toEqual([e2, e3, e4]);
  });
});
