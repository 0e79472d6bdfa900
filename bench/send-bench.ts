import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { JwtVerifier } from '../src/common/auth/jwt-verifier';
import { loadConfig, type AppConfig } from '../src/config/app-config';
import { createApp } from '../src/create-app';
import { standaloneDataSourceOptions } from '../src/standalone-data-source';
import { runMigrationsLocked } from '../src/database/migrator';
import { SessionSecrets } from '../src/telegram/accounts/session-secrets';
import { AccountsRepository } from '../src/telegram/accounts/accounts.repository';
import { TelegramEmulator } from '@integration-service/telegram-emulator';
import { TelegramGateway } from '../src/telegram/gateway/telegram-gateway';
import { createBenchDatabase, type PostgresServer } from './lib/database';

/**
 * The send queue against the in-process emulator: 1,000 messages over 10 chats and 2 senders with
 * pacing off (queue throughput, POST to sent), the same 1,000 sends made directly through the
 * gateway (one loop per sender: the gateway runs one client per session at a time, as the queue
 * does), and with pacing on (1 msg/s per sender and chat) the enqueue-to-sent latency.
 */
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const USER = 7;
const PHONES = ['+9996611201', '+9996621202'];

export interface SendBenchResult {
  queue: { messages: number; seconds: number; perSecond: number; enqueuePerSecond: number };
  direct: { messages: number; seconds: number; perSecond: number };
  paced: { messages: number; p50: number; p99: number; max: number; seconds: number };
}

interface Sender {
  sessionId: string;
  chats: { id: string; channelId: string; type: string; accessHash: string | null }[];
}

async function boot(url: string, dataDir: string, emulator: TelegramEmulator, env: Record<string, string>) {
  const config: AppConfig = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    JWT_SECRET,
    MIGRATIONS_RUN: 'false',
    RATE_LIMIT_ENABLED: 'false',
    TELEGRAM_EMULATOR: 'true',
    SEND_WORKERS: '8',
    DATABASE_POOL_SIZE: '30',
    ...env,
  });
  const app = await createApp(config, { telegramEmulator: emulator });
  const token = new JwtVerifier(config.jwt).sign(USER, 3600);
  const inject = async (method: 'GET' | 'POST', path: string, payload?: Record<string, unknown>) => {
    const res = await app.inject({
      method,
      url: path,
      headers: { authorization: `Bearer ${token}` },
      payload,
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
    return res.json<Record<string, unknown>>();
  };
  return { app, inject };
}

async function prepareSenders(
  inject: Awaited<ReturnType<typeof boot>>['inject'],
  db: DataSource,
): Promise<Sender[]> {
  const senders: Sender[] = [];
  for (const phone of PHONES) {
    await inject('POST', '/api/v1/telegram/connect', { phone });
    const code = phone.charAt(6).repeat(5);
    const signed = await inject('POST', '/api/v1/telegram/connect', { phone, code });
    const sessionId = signed.session_id as string;
    for (const title of ['Bench A', 'Bench B']) {
      await inject('POST', '/api/v1/dev/telegram-emulator/chats', { phone, type: 'supergroup', title });
    }
    await inject('POST', '/api/v1/telegram/channels/sync', { session_id: sessionId });
    // Five chats the account may post in, without slow mode (creator or admin, or a basic group).
    const rows = await db.query<
      { id: string; channel_id: string; type: string; access_hash: string | null }[]
    >(
      `SELECT c.id, c.channel_id::text AS channel_id, c.type, c.access_hash::text AS access_hash
       FROM telegram_channels c JOIN telegram_channel_senders s ON s.channel_row_id = c.id
       WHERE s.sender_id = $1 AND s.can_post AND (s.role <> 'member' OR c.type = 'group')
       ORDER BY c.title LIMIT 5`,
      [sessionId],
    );
    senders.push({
      sessionId,
      chats: rows.map((c) => ({
        id: c.id,
        channelId: c.channel_id,
        type: c.type,
        accessHash: c.access_hash,
      })),
    });
  }
  return senders;
}

async function waitAllEnded(db: DataSource, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.query<{ n: number; failed: number }[]>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM telegram_messages WHERE status IN ('sent', 'failed', 'cancelled')`,
    );
    if (row.failed > 0) {
      const reasons = await db.query(
        `SELECT DISTINCT error_code FROM telegram_messages WHERE status = 'failed'`,
      );
      throw new Error(`${row.failed} messages failed: ${JSON.stringify(reasons)}`);
    }
    if (row.n >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${row.n} of ${count} messages ended in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runSendBench(
  postgres: PostgresServer,
  log: (line: string) => void,
): Promise<SendBenchResult> {
  const database = await createBenchDatabase(postgres.adminUrl, false);
  const dataDir = mkdtempSync(join(tmpdir(), 'send-bench-'));
  const db = new DataSource(
    standaloneDataSourceOptions({
      url: database.url,
      poolSize: 4,
      statementTimeoutMs: 30000,
      connectTimeoutMs: 5000,
    }),
  );
  let app: NestFastifyApplication | undefined;
  try {
    await db.initialize();
    await runMigrationsLocked(db);
    const emulator = new TelegramEmulator();
    // 1) queue, pacing off
    const off = await boot(database.url, dataDir, emulator, { SEND_PACING_ENABLED: 'false' });
    app = off.app;
    const senders = await prepareSenders(off.inject, db);
    const lanes = senders.flatMap((s) => s.chats.map((c) => ({ sender: s, chat: c })));
    log(`senders: ${senders.length}, chats: ${lanes.length} (${lanes.map((l) => l.chat.type).join(', ')})`);
    const N = 1000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => {
          const lane = lanes[(i + j) % lanes.length];
          return off.inject('POST', '/api/v1/telegram/send', {
            session_id: lane.sender.sessionId,
            channel_id: lane.chat.id,
            text: `bench ${i + j}`,
          });
        }),
      );
    }
    const enqueued = Number(process.hrtime.bigint() - started) / 1e9;
    await waitAllEnded(db, N, 300_000);
    const queueSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const queue = {
      messages: N,
      seconds: queueSeconds,
      perSecond: N / queueSeconds,
      enqueuePerSecond: N / enqueued,
    };

    // 2) the same sends straight through the gateway
    const gateway = off.app.get(TelegramGateway);
    const accounts = off.app.get(AccountsRepository);
    const secrets = off.app.get(SessionSecrets);
    const directStart = process.hrtime.bigint();
    await Promise.all(
      senders.map(async (sender, s) => {
        const row = await accounts.findForUser(USER, sender.sessionId);
        if (!row) throw new Error('no session row');
        const { session } = await secrets.open(USER, row.sessionData);
        for (let i = 0; i < N / senders.length; i++) {
          const chat = sender.chats[i % sender.chats.length];
          const group = chat.type === 'group';
          await gateway.run({ key: row.id, session }, { keepAlive: true }, (tg) =>
            tg.messaging().send({
              peer: {
                kind: group ? 'chat' : 'channel',
                id: chat.channelId.replace(group ? /^-/ : /^-100/, ''),
                accessHash: chat.accessHash,
              },
              text: `direct ${s}-${i}`,
              parseMode: null,
              randomId: String(BigInt(s + 1) * 1_000_000n + BigInt(i)),
            }),
          );
        }
      }),
    );
    const directSeconds = Number(process.hrtime.bigint() - directStart) / 1e9;
    const direct = { messages: N, seconds: directSeconds, perSecond: N / directSeconds };
    await off.app.close();
    app = undefined;

    // 3) pacing on: 10 messages to each of the 10 chats at once
    await db.query(`DELETE FROM telegram_messages`);
    const on = await boot(database.url, dataDir, emulator, { SEND_PACING_ENABLED: 'true' });
    app = on.app;
    const P = 100;
    const pacedStart = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: P }, (_, i) => {
        const lane = lanes[i % lanes.length];
        return on.inject('POST', '/api/v1/telegram/send', {
          session_id: lane.sender.sessionId,
          channel_id: lane.chat.id,
          text: `paced ${i}`,
        });
      }),
    );
    await waitAllEnded(db, P, 120_000);
    const pacedSeconds = Number(process.hrtime.bigint() - pacedStart) / 1e9;
    const [lat] = await db.query<{ p50: number; p99: number; max: number }[]>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY s) AS p99, max(s) AS max
       FROM (SELECT extract(epoch FROM sent_at - queued_at)::float8 AS s FROM telegram_messages WHERE status = 'sent') x`,
    );
    const paced = { messages: P, p50: lat.p50, p99: lat.p99, max: lat.max, seconds: pacedSeconds };
    return { queue, direct, paced };
  } finally {
    if (app) await app.close().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
