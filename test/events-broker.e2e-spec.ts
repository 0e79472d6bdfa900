import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/database/embedded-postgres';
import { AMQP_URL, TestConsumer, uniqueExchange } from './support/amqp-consumer';
import { TEST_JWT_SECRET, bearer, type TestApp } from './support/app';
import { spawnNode } from './support/process';
import { TcpProxy } from './support/tcp-proxy';
import { call, createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';
import { authedClient, type WsClient } from './support/ws-client';
import jwt from 'jsonwebtoken';

const BOTS = '/api/v1/telegram/bots';
const botToken = (n: number) => `999771${String(n).padStart(4, '0')}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1`;
const amqpPort = Number(new URL(AMQP_URL).port || 5672);

/**
 * Events through the machine's RabbitMQ, each test run on its own exchange: routing keys at a bound
 * consumer, RabbitMQ cut (a TCP proxy between the service and the broker) under traffic without a
 * lost event, and two service processes where an action on one reaches a WebSocket client of the other.
 */
describe('Events through RabbitMQ', () => {
  describe('one replica', () => {
    let world: TelegramWorld;
    let t: TestApp;
    let consumer: TestConsumer;
    const exchange = uniqueExchange();

    beforeAll(async () => {
      consumer = new TestConsumer(exchange);
      await consumer.start();
      world = await createTelegramWorld();
      t = await world.start({ AMQP_URL, EVENTS_EXCHANGE: exchange, EVENTS_RELAY_INTERVAL_MS: '100' });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => {
      await world.cleanup();
      await consumer.close();
    });

    it('publishes each event to the topic exchange with its type as routing key; the socket gets it back from the broker', async () => {
      await waitFor(
        async () =>
          (await t.inject('/api/v1/health/detailed')).json().components.rabbitmq?.consuming === true,
      );
      const client = await authedClient(await t.app.getUrl(), t.token(1301));
      const session = await loginByCode(t, 1301, '+9996611311');
      const bot = (await call(t, 1301, 'POST', BOTS, { bot_token: botToken(1311) })).json().id as string;
      await call(t, 1301, 'DELETE', `${BOTS}/${bot}`);
      const rows = await world.db.query<{ id: string; type: string }>(
        'SELECT id, type FROM integration_events WHERE user_id = 1301 ORDER BY seq',
      );
      expect(rows.map((r) => r.type)).toEqual([
        'telegram.account.login_started',
        'telegram.account.code_sent',
        'telegram.account.connected',
        'telegram.bot.added',
        'telegram.bot.removed',
      ]);
      await consumer.until(() => rows.every((r) => consumer.ids().has(r.id)));
      for (const row of rows) {
        const got = consumer.received.find((r) => r.event.id === row.id);
        expect(got).toMatchObject({
          routingKey: row.type,
          messageId: row.id,
          event: { type: row.type, userid: 1301, specversion: '1.0', source: expect.any(String) },
        });
      }
      expect(
        consumer.received.find((r) => r.routingKey === 'telegram.account.connected')?.event.data,
      ).toMatchObject({
        session_id: session,
      });
      await client.eventsOf(rows.map((r) => r.type));
      expect(client.events().map((e) => e.id)).toEqual(rows.map((r) => r.id));
      await waitFor(async () => {
        const [{ n }] = await world.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM integration_events WHERE published_at IS NULL',
        );
        return n === 0;
      });
      const health = await t.inject('/api/v1/health/detailed');
      expect(health.json().components).toMatchObject({
        rabbitmq: { status: 'healthy', exchange },
        outbox: { status: 'healthy', delivery: 'rabbitmq', backlog: 0 },
      });
      client.close();
    });
  });

  describe('RabbitMQ cut and restored under traffic', () => {
    let world: TelegramWorld;
    let t: TestApp;
    let consumer: TestConsumer;
    let proxy: TcpProxy;
    const exchange = uniqueExchange();

    beforeAll(async () => {
      consumer = new TestConsumer(exchange);
      await consumer.start();
      proxy = new TcpProxy('127.0.0.1', amqpPort);
      await proxy.start();
      // In process: 35 bots are added here, and over TCP each is an auth-key exchange; the broker is what is under test.
      world = await createTelegramWorld({}, { transport: 'in-process' });
      t = await world.start({
        AMQP_URL: proxy.wrap(AMQP_URL),
        EVENTS_EXCHANGE: exchange,
        EVENTS_RELAY_INTERVAL_MS: '100',
        EVENTS_RELAY_MAX_BACKOFF_MS: '500',
        EVENTS_PUBLISH_TIMEOUT_MS: '1000',
      });
    });
    afterAll(async () => {
      await world.cleanup();
      await proxy.stop();
      await consumer.close();
    });

    it('no event lost (count by id), readiness stays 200, /health/detailed degraded with the backlog', async () => {
      await waitFor(
        async () =>
          (await t.inject('/api/v1/health/detailed')).json().components.rabbitmq?.status === 'healthy',
      );
      const traffic = async (from: number, to: number) => {
        for (let n = from; n < to; n += 1) {
          const res = await t.inject({
            method: 'POST',
            url: BOTS,
            headers: bearer(t.token(1302)),
            payload: { bot_token: botToken(2000 + n) },
          });
          expect(res.statusCode).toBe(201);
          await t.inject({
            method: 'DELETE',
            url: `${BOTS}/${res.json().id as string}`,
            headers: bearer(t.token(1302)),
          });
        }
      };
      await traffic(0, 10);
      proxy.goDown();
      await traffic(10, 25);
      const during = await t.inject('/api/v1/health/detailed');
      expect(during.json()).toMatchObject({
        status: 'degraded',
        components: { rabbitmq: { status: 'unhealthy' } },
      });
      expect(during.json().components.outbox.backlog).toBeGreaterThan(0);
      expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(200);
      proxy.comeBack();
      await traffic(25, 35);
      const rows = await world.db.query<{ id: string }>(
        'SELECT id FROM integration_events WHERE user_id = 1302',
      );
      expect(rows).toHaveLength(70);
      await consumer.until(
        () => rows.every((r) => consumer.ids().has(r.id)),
        30_000,
        'every outbox event at the consumer',
      );
      const mine = consumer.received.filter((r) => r.event.userid === 1302);
      const duplicates = mine.length - new Set(mine.map((r) => r.event.id)).size;
      // At-least-once: a publish confirmed but not marked before the cut may go again; never many.
      expect(duplicates).toBeLessThanOrEqual(10);
      process.stdout.write(
        `broker outage: ${rows.length} events, ${mine.length} received, ${duplicates} duplicates\n`,
      );
      // Per subject (one bot), added always before removed.
      const order = new Map<string, string[]>();
      for (const r of mine)
        order.set(String(r.event.data.bot_id), [
          ...(order.get(String(r.event.data.bot_id)) ?? []),
          r.routingKey,
        ]);
      for (const types of order.values())
        expect(types.indexOf('telegram.bot.added')).toBeLessThan(types.indexOf('telegram.bot.removed'));
    }, 90_000);
  });

  describe('two service processes on one database and broker', () => {
    let world: TelegramWorld;
    const children: ChildProcess[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'events-two-'));
    const exchange = uniqueExchange();
    let clientOnB: WsClient | undefined;

    beforeAll(async () => {
      world = await createTelegramWorld();
    });
    afterAll(async () => {
      clientOnB?.close();
      for (const child of children) child.kill('SIGKILL');
      await world.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('an action on replica A reaches a WebSocket client of replica B', async () => {
      const [a, b] = await Promise.all([startReplica(), startReplica()]);
      const token = jwt.sign({ user_id: 1303 }, TEST_JWT_SECRET, { expiresIn: 600 });
      clientOnB = await authedClient(b, token, { types: ['telegram.bot.*'] });
      await waitFor(async () => {
        const res = await fetch(`${b}/api/v1/health/detailed`);
        return (
          ((await res.json()) as { components: { rabbitmq?: { consuming?: boolean } } }).components.rabbitmq
            ?.consuming === true
        );
      });
      const res = await fetch(`${a}${BOTS}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ bot_token: botToken(1313) }),
      });
      expect(res.status).toBe(201);
      const id = ((await res.json()) as { id: string }).id;
      const [event] = await clientOnB.eventsOf(['telegram.bot.added'], 15_000);
      expect(event).toMatchObject({ userid: 1303, subject: `bots/${id}` });
    });

    async function startReplica(): Promise<string> {
      const port = await freePort();
      const child = spawnNode('src/main.js', [], {
        DATABASE_URL: world.db.url,
        AMQP_URL,
        EVENTS_EXCHANGE: exchange,
        EVENTS_RELAY_INTERVAL_MS: '100',
        JWT_SECRET: TEST_JWT_SECRET,
        TELEGRAM_EMULATOR: 'true',
        // Each replica's own in-process world: the test needs no shared Telegram, and two processes
        // starting at once must not race to start one emulator server for a shared DATA_DIR.
        TELEGRAM_EMULATOR_IN_PROCESS: 'true',
        RATE_LIMIT_ENABLED: 'false',
        DATA_DIR: dataDir,
        PORT: String(port),
        LOG_LEVEL: 'warn',
      });
      children.push(child);
      const base = `http://127.0.0.1:${port}`;
      await waitFor(
        async () => (await fetch(`${base}/api/v1/health/readiness`).catch(() => undefined))?.status === 200,
        30_000,
      );
      return base;
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
