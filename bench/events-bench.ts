import { randomUUID } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { JwtVerifier } from '../src/common/auth/jwt-verifier';
import { loadConfig } from '../src/config/app-config';
import { createApp } from '../src/create-app';
import { OutboxService } from '../src/events/outbox/outbox.service';
import { createBenchDatabase, type PostgresServer } from './lib/database';
import { standaloneDataSourceOptions } from '../src/standalone-data-source';
import { runMigrationsLocked } from '../src/database/migrator';

const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const USER = 4242;

export interface LatencyResult {
  scenario: string;
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export interface EventsBenchResult {
  latency: LatencyResult[];
  throughput: { delivery: string; events: number; seconds: number; perSecond: number }[];
  skipped: string[];
}

/**
 * Issue 12's benchmark. Latency: a state change's transaction (OutboxService.add, commit) on replica
 * A → the event at a WebSocket client on A (one replica) or on B (two replicas, through RabbitMQ), one
 * event at a time. Throughput: N rows committed at once, until the relay has published them all.
 * Replicas are app instances in this process (createApp, real PostgreSQL and RabbitMQ).
 */
export async function runEventsBench(
  postgres: PostgresServer,
  log: (line: string) => void,
): Promise<EventsBenchResult> {
  const samples = Number(process.env.BENCH_EVENTS_SAMPLES ?? 300);
  const bulk = Number(process.env.BENCH_EVENTS_BULK ?? 20000);
  const amqpUrl = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const database = await createBenchDatabase(postgres.adminUrl, postgres.dataDir !== undefined);
  const dataDir = mkdtempSync(join(tmpdir(), 'events-bench-'));
  const result: EventsBenchResult = { latency: [], throughput: [], skipped: [] };
  const apps: NestFastifyApplication[] = [];
  const start = async (env: Record<string, string>) => {
    const config = loadConfig({
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      DATABASE_URL: database.url,
      MIGRATIONS_RUN: 'false',
      DATA_DIR: dataDir,
      TELEGRAM_EMULATOR: 'true',
      EVENTS_RELAY_INTERVAL_MS: '200',
      ...env,
    });
    const app = await createApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    apps.push(app);
    return app;
  };
  const stopAll = async () => {
    for (const app of apps.splice(0)) await app.close();
  };
  try {
    const ds = new DataSource(
      standaloneDataSourceOptions({
        url: database.url,
        poolSize: 2,
        statementTimeoutMs: 60_000,
        queryTimeoutMs: 61_000,
        connectTimeoutMs: 5000,
      }),
    );
    await ds.initialize();
    await runMigrationsLocked(ds);

    const local = await start({});
    result.latency.push(await latency('in-process, one replica', local, local, samples));
    result.throughput.push(await throughput('in-process', ds, bulk));
    await stopAll();

    if (!(await reachable(amqpUrl))) {
      result.skipped.push(`RabbitMQ at ${amqpUrl} is not reachable: broker scenarios skipped`);
    } else {
      const exchange = `bench.integration.events.${randomUUID()}`;
      const a = await start({ AMQP_URL: amqpUrl, EVENTS_EXCHANGE: exchange });
      await consuming(a);
      result.latency.push(await latency('RabbitMQ, one replica', a, a, samples));
      const b = await start({ AMQP_URL: amqpUrl, EVENTS_EXCHANGE: exchange });
      await consuming(b);
      result.latency.push(await latency('RabbitMQ, two replicas (commit on A, socket on B)', a, b, samples));
      result.throughput.push(await throughput('RabbitMQ (2 replicas relaying)', ds, bulk));
      await stopAll();
    }
    await ds.destroy();
  } finally {
    await stopAll();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  for (const l of result.latency)
    log(`${l.scenario.padEnd(52)} | p50 ${ms(l.p50)} | p99 ${ms(l.p99)} | max ${ms(l.max)} | n=${l.samples}`);
  for (const t of result.throughput)
    log(
      `relay throughput, ${t.delivery.padEnd(31)} | ${t.events} events in ${t.seconds.toFixed(2)} s = ${Math.round(t.perSecond)} events/s`,
    );
  for (const s of result.skipped) log(s);
  return result;
}

async function latency(
  scenario: string,
  commitOn: NestFastifyApplication,
  socketOn: NestFastifyApplication,
  samples: number,
): Promise<LatencyResult> {
  const token = new JwtVerifier({
    secret: JWT_SECRET,
    generated: false,
    maxLifetimeSeconds: 86400,
    clockSkewSeconds: 60,
  }).sign(USER, 3600);
  const socket = new WebSocket(`${(await socketOn.getUrl()).replace(/^http/, 'ws')}/api/v1/ws`, [
    'bearer',
    token,
  ]);
  const arrived = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type: string; event?: { id: string } };
      if (message.type === 'authenticated') resolve();
      if (message.event) {
        arrived.set(message.event.id, performance.now());
        waiting.get(message.event.id)?.();
      }
    });
    socket.once('error', reject);
  });
  const outbox = commitOn.get(OutboxService);
  const ds = commitOn.get(DataSource);
  const times: number[] = [];
  for (let i = 0; i < samples + 20; i += 1) {
    const started = performance.now();
    const id = await ds.transaction((tx) =>
      outbox.add(tx, {
        type: 'telegram.bot.added',
        subject: `bots/bench-${i}`,
        userId: USER,
        data: { bot_id: `bench-${i}` },
      }),
    );
    if (!arrived.has(id)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`event ${id} did not arrive in 10 s`)), 10_000);
        waiting.set(id, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (i >= 20) times.push((arrived.get(id) as number) - started);
  }
  socket.close();
  times.sort((x, y) => x - y);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { scenario, samples: times.length, p50: at(0.5), p99: at(0.99), max: times[times.length - 1] };
}

async function throughput(delivery: string, ds: DataSource, events: number) {
  const started = performance.now();
  await ds.query(
    `INSERT INTO integration_events (user_id, type, subject, data)
     SELECT $1, 'telegram.bot.added', 'bots/bulk-' || (g % 100), jsonb_build_object('n', g) FROM generate_series(1, $2) g`,
    [USER + 1, events],
  );
  for (;;) {
    const [{ n }] = (await ds.query(
      'SELECT count(*)::int AS n FROM integration_events WHERE published_at IS NULL',
    )) as { n: number }[];
    if (n === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  return { delivery, events, seconds, perSecond: events / seconds };
}

async function consuming(app: NestFastifyApplication): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await app.inject('/api/v1/health/detailed');
    if ((res.json() as { components: { rabbitmq?: { consuming?: boolean } } }).components.rabbitmq?.consuming)
      return;
    if (Date.now() > deadline) throw new Error('the replica never bound its queue');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect(Number(u.port || 5672), u.hostname);
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const ms = (v: number) => `${v.toFixed(1).padStart(6)} ms`;
