/**
 * The emulator server's memory with N connected, signed-in accounts: the server runs as its own process
 * (`packages/telegram-emulator/dist/cli.js --port 0`), N real GramJS clients in this process each negotiate an auth key
 * over TCP, sign in by phone code (DC 1 phones: one key each) and stay connected; then the server's VmRSS
 * is read from /proc.
 *
 *   npm run build && node dist/bench/emulator-server-memory.js [accounts=1000] [concurrency=8]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, type TelegramClient } from 'telegram';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { StringSession } from 'telegram/sessions';
import { EMULATOR_API_CREDENTIALS } from '../src/telegram-emulator-wiring/emulator-credentials';
import { createEmulatorServerClient, type EmulatorNetwork } from '@integration-service/telegram-emulator';
import { readServerFile } from '@integration-service/telegram-emulator';

const rssMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round((Number(line?.replace(/\D/g, '') ?? 0) / 1024) * 10) / 10;
};

async function main(): Promise<void> {
  const accounts = Number(process.argv[2] ?? 1000);
  const concurrency = Number(process.argv[3] ?? 8);
  const dataDir = mkdtempSync(join(tmpdir(), 'emulator-bench-'));
  const child = spawn(
    process.execPath,
    [
      join(__dirname, '..', '..', 'packages', 'telegram-emulator', 'dist', 'cli.js'),
      '--port',
      '0',
      '--data',
      dataDir,
    ],
    {
      stdio: 'ignore',
    },
  );
  const clients: TelegramClient[] = [];
  try {
    let file = readServerFile(dataDir);
    for (let i = 0; i < 200 && !file; i++) {
      await new Promise((r) => setTimeout(r, 100));
      file = readServerFile(dataDir);
    }
    if (!file) throw new Error('emulator server did not start');
    const network = (await (await fetch(new URL('/v1/network', file.control_url))).json()) as EmulatorNetwork;
    const factory = createEmulatorServerClient(network);
    await new Promise((r) => setTimeout(r, 500));
    const idleRss = rssMb(file.pid);
    const { apiId, apiHash } = EMULATOR_API_CREDENTIALS;
    const loginMs: number[] = [];
    let next = 0;
    const started = Date.now();
    if (!file) throw new Error('unreachable');
    const worker = async (): Promise<void> => {
      for (let i = next++; i < accounts; i = next++) {
        const phone = `+999661${String(3000 + i).padStart(4, '0')}`;
        const t0 = performance.now();
        const client = factory(new StringSession(''), apiId, apiHash, {
          baseLogger: new Logger(LogLevel.NONE),
          connectionRetries: 3,
        });
        clients.push(client);
        await client.connect();
        const { phoneCodeHash } = await client.sendCode({ apiId, apiHash }, phone);
        await client.invoke(new Api.auth.SignIn({ phoneNumber: phone, phoneCodeHash, phoneCode: '11111' }));
        loginMs.push(performance.now() - t0);
        if (loginMs.length % 100 === 0) {
          const seconds = Math.round((Date.now() - started) / 1000);
          process.stderr.write(
            `${loginMs.length} accounts connected, server VmRSS ${rssMb(file.pid)} MB, ${seconds} s\n`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await new Promise((r) => setTimeout(r, 1000));
    const status = (await (await fetch(new URL('/v1/status', file.control_url))).json()) as Record<
      string,
      number
    >;
    const loadedRss = rssMb(file.pid);
    loginMs.sort((a, b) => a - b);
    process.stdout.write(
      `${JSON.stringify(
        {
          accounts,
          concurrency,
          serverConnections: status.connections,
          serverAuthKeys: status.auth_keys,
          serverRssMb: {
            idle: idleRss,
            withAccounts: loadedRss,
            perAccountKb: Math.round(((loadedRss - idleRss) * 1024) / accounts),
          },
          loginMs: {
            median: Math.round(loginMs[Math.floor(loginMs.length / 2)]),
            p95: Math.round(loginMs[Math.floor(loginMs.length * 0.95)]),
          },
          totalSeconds: Math.round((Date.now() - started) / 1000),
          node: process.version,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await Promise.allSettled(clients.map((c) => c.destroy()));
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
