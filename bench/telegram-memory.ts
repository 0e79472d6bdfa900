/**
 * Telegram accounts: how long a phone-code login takes through HTTP, and the resident memory of the
 * process holding N connected emulated accounts (each a live GramJS client parked in the gateway).
 *
 *   npm run build && node --expose-gc dist/bench/telegram-memory.js [accounts=50] [in-process|tcp]
 *
 * `tcp`: the world is served by an emulator server (MTProto 2.0 over TCP, in this process) and the
 * service's clients are the real GramJS TelegramClient; `in-process` (default): the fake sender.
 *
 * Uses DATABASE_URL's server when set (a fresh database is created and dropped), else an embedded
 * PostgreSQL under data/telegram-bench-postgres. The emulator runs in this process, so its world
 * (a few objects per account) is part of the measured RSS; the database is another process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { JwtVerifier } from '../src/common/auth/jwt-verifier';
import { loadConfig } from '../src/config/app-config';
import { createApp } from '../src/create-app';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { TelegramEmulator } from '../src/telegram/emulator';
import { TelegramEmulatorServer } from '../src/telegram/emulator/server/emulator-server';
import { TelegramGateway } from '../src/telegram/gateway/telegram-gateway';

export interface TelegramMemoryOptions {
  accounts?: number;
  /** Extra 2FA logins timed after the memory reading (SRP costs CPU). */
  twoFactorSamples?: number;
  databaseUrl?: string;
  /** How the service reaches the emulated world (default in-process). */
  transport?: 'in-process' | 'tcp';
}

export interface Stats {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

export interface TelegramMemoryResult {
  accounts: number;
  transport: 'in-process' | 'tcp';
  /** GramJS clients parked in the gateway. */
  liveClients: number;
  /** Connections the emulator sees (one per client). */
  emulatorConnections: number;
  rssMb: { afterStart: number; withAccounts: number; perAccountKb: number };
  heapUsedMb: { afterStart: number; withAccounts: number };
  /** Send code → sign in, two HTTP requests over a socket, per account (ms). */
  phoneCodeLoginMs: Stats & { first: number };
  /** Send code → code → password (three requests) for 2FA accounts (ms). */
  twoFactorLoginMs?: Stats;
  node: string;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    n: sorted.length,
    min: round(sorted[0]),
    median: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted[sorted.length - 1]),
  };
}

async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function withAdmin<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Phone 99966XYYYY on DC X (1–3): two in three logins exercise PHONE_MIGRATE. */
function phoneFor(i: number, twoFactor = false): { phone: string; code: string } {
  const dc = 1 + (i % 3);
  const suffix = (twoFactor ? 2000 : 4000) + i;
  return { phone: `+99966${dc}${suffix}`, code: String(dc).repeat(5) };
}

export async function measureTelegramMemory(
  options: TelegramMemoryOptions = {},
): Promise<TelegramMemoryResult> {
  const accounts = options.accounts ?? 50;
  const dataDir = mkdtempSync(join(tmpdir(), 'telegram-bench-'));
  const embedded = options.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(join(process.cwd(), 'data', 'telegram-bench-postgres'), 'telegram_bench');
  const serverUrl = options.databaseUrl ?? embedded?.url ?? '';
  const dbName = `telegram_bench_${randomBytes(4).toString('hex')}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  await withAdmin(admin.toString(), (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(dbName)}`));
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${dbName}`;

  const secret = randomBytes(32).toString('hex');
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: dbUrl.toString(),
    DATA_DIR: dataDir,
    JWT_SECRET: secret,
    RATE_LIMIT_ENABLED: 'false',
    TELEGRAM_EMULATOR: 'true',
    // Keep every signed-in client connected for the reading.
    TELEGRAM_CLIENT_IDLE_MS: '3600000',
  });
  const emulator = new TelegramEmulator();
  const transport = options.transport ?? 'in-process';
  const server = transport === 'tcp' ? new TelegramEmulatorServer(emulator) : undefined;
  await server?.start();
  const app = await createApp(config, {
    telegramEmulator: emulator,
    telegramEmulatorServer: server,
    logStream: { write: () => undefined },
  });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const token = new JwtVerifier(config.jwt).sign(1, 3600);
    const post = async (body: Record<string, unknown>) => {
      const res = await fetch(`${base}/api/v1/telegram/connect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { status?: string; message?: string };
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${json.message}`);
      return json;
    };

    await settle();
    const start = process.memoryUsage();

    const loginMs: number[] = [];
    for (let i = 0; i < accounts; i++) {
      const { phone, code } = phoneFor(i);
      const t0 = performance.now();
      await post({ phone });
      const done = await post({ phone, code });
      loginMs.push(performance.now() - t0);
      if (done.status !== 'success') throw new Error(`login ${i}: ${done.status}`);
    }
    await settle();
    const loaded = process.memoryUsage();
    const liveClients = app.get(TelegramGateway).liveClients;
    const emulatorConnections = emulator.liveConnectionCount();

    let twoFactorLoginMs: Stats | undefined;
    if (options.twoFactorSamples) {
      const samples: number[] = [];
      for (let i = 0; i < options.twoFactorSamples; i++) {
        const { phone, code } = phoneFor(i, true);
        const t0 = performance.now();
        await post({ phone });
        await post({ phone, code });
        const done = await post({ phone, password: 'emulator-2fa' });
        samples.push(performance.now() - t0);
        if (done.status !== 'success') throw new Error(`2FA login ${i}: ${done.status}`);
      }
      twoFactorLoginMs = stats(samples);
    }

    return {
      accounts,
      transport,
      liveClients,
      emulatorConnections,
      rssMb: {
        afterStart: mb(start.rss),
        withAccounts: mb(loaded.rss),
        perAccountKb: Math.round((loaded.rss - start.rss) / 1024 / accounts),
      },
      heapUsedMb: { afterStart: mb(start.heapUsed), withAccounts: mb(loaded.heapUsed) },
      phoneCodeLoginMs: { ...stats(loginMs), first: Math.round(loginMs[0] * 10) / 10 },
      twoFactorLoginMs,
      node: process.version,
    };
  } finally {
    await app.close();
    await server?.stop();
    await withAdmin(admin.toString(), (c) =>
      c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(dbName)} WITH (FORCE)`),
    );
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const accounts = Number(process.argv[2] ?? 50);
  const transport = process.argv[3] === 'tcp' ? 'tcp' : 'in-process';
  measureTelegramMemory({ accounts, twoFactorSamples: 5, databaseUrl: process.env.DATABASE_URL, transport })
    .then((result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
