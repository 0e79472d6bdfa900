import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { JwtVerifier } from '../../src/common/auth/jwt-verifier';
import { loadConfig } from '../../src/config/app-config';
import { createApp } from '../../src/create-app';
import { TelegramEmulator, TelegramEmulatorServer } from '@integration-service/telegram-emulator';

/** The service (createApp) on a fresh database of `serverUrl`, over an emulated world in this process. */
export interface EmulatedApp {
  app: NestFastifyApplication;
  emulator: TelegramEmulator;
  base: string;
  /** POST /api/v1/telegram/connect as user 1; throws on anything but 200. */
  connect(body: Record<string, unknown>): Promise<{ status?: string }>;
  /** Closes the app and the emulator server, drops the database and the data directory. */
  close(): Promise<void>;
}

async function withAdmin<T>(serverUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Boots it: `prefix` names the database (`<prefix>_<random>`) and the data directory; `env` adds to
 * the development configuration (emulator on, no rate limits, logs discarded, every signed-in client
 * kept connected); `transport: 'tcp'` serves the world through an emulator server (MTProto over TCP).
 */
export async function startEmulatedApp(options: {
  serverUrl: string;
  prefix: string;
  env?: Record<string, string>;
  transport?: 'in-process' | 'tcp';
}): Promise<EmulatedApp> {
  const dbName = `${options.prefix}_${randomBytes(4).toString('hex')}`;
  await withAdmin(options.serverUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(dbName)}`));
  const dbUrl = new URL(options.serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const dataDir = mkdtempSync(join(tmpdir(), `${options.prefix}-`));
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: dbUrl.toString(),
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(32).toString('hex'),
    RATE_LIMIT_ENABLED: 'false',
    TELEGRAM_EMULATOR: 'true',
    TELEGRAM_CLIENT_IDLE_MS: '3600000',
    ...options.env,
  });
  const emulator = new TelegramEmulator();
  const server = options.transport === 'tcp' ? new TelegramEmulatorServer(emulator) : undefined;
  await server?.start();
  const app = await createApp(config, {
    telegramEmulator: emulator,
    telegramEmulatorServer: server,
    logStream: { write: () => undefined },
  });
  const close = async () => {
    await app.close();
    await server?.stop();
    await withAdmin(options.serverUrl, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(dbName)} WITH (FORCE)`),
    );
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await close();
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const token = new JwtVerifier(config.jwt).sign(1, 3600);
  return {
    app,
    emulator,
    base,
    connect: async (body) => {
      const res = await fetch(`${base}/api/v1/telegram/connect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { status?: string; message?: string };
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${json.message}`);
      return json;
    },
    close,
  };
}
