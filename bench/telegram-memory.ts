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
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { TelegramGateway } from '../src/telegram/gateway/telegram-gateway';
import { startEmulatedApp } from './lib/emulated-app';

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
  const embedded = options.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(join(process.cwd(), 'data', 'telegram-bench-postgres'), 'telegram_bench');
  const transport = options.transport ?? 'in-process';
  const { app, emulator, connect, close } = await startEmulatedApp({
    serverUrl: options.databaseUrl ?? embedded?.url ?? '',
    prefix: 'telegram_bench',
    transport,
  }).catch(async (error: unknown) => {
    await embedded?.stop();
    throw error;
  });
  try {
    await settle();
    const start = process.memoryUsage();

    const loginMs: number[] = [];
    for (let i = 0; i < accounts; i++) {
      const { phone, code } = phoneFor(i);
      const t0 = performance.now();
      await connect({ phone });
      const done = await connect({ phone, code });
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
        await connect({ phone });
        await connect({ phone, code });
        const done = await connect({ phone, password: 'emulator-2fa' });
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
    await close();
    await embedded?.stop();
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
