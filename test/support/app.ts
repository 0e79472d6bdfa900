import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import jwt from 'jsonwebtoken';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import type { Env } from '../../src/config/env';
import { createApp, type CreateAppOptions } from '../../src/create-app';
import { createTestDatabase, type TestDatabase } from './database';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  inject(options: InjectOptions | string): Promise<LightMyRequestResponse>;
  /** Every log line written so far, parsed. */
  logs(): Record<string, unknown>[];
  /** Every log line written so far, raw text (for "this secret never appears" checks). */
  rawLogs(): string;
  /** A valid HS256 token for the user, with optional extra claims. */
  token(userId: number, claims?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** Boots the real application (real pipes, guards, filter, database) against `databaseUrl`. */
export async function startTestApp(
  databaseUrl: string,
  env: Env = {},
  options: Omit<CreateAppOptions, 'logStream'> = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'integration-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    MIGRATIONS_RUN: 'false',
    HEALTH_CHECK_TIMEOUT_MS: '1000',
    DATABASE_CONNECT_TIMEOUT_MS: '1000',
    // The session watchdog would check (and count requests, detect revocations) behind a test's back:
    // off unless a test turns it on (test/watchdog.e2e-spec.ts).
    TELEGRAM_WATCHDOG_INTERVAL_MS: '0',
    ...env,
  });
  const lines: string[] = [];
  const app = await createApp(config, {
    ...options,
    logStream: { write: (line: string) => void lines.push(line) },
  });
  return {
    app,
    config,
    inject: (opts) => app.inject(opts as InjectOptions),
    logs: () =>
      lines
        .flatMap((l) => l.split('\n'))
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    rawLogs: () => lines.join(''),
    token: (userId, claims = {}) =>
      jwt.sign({ user_id: userId, ...claims }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 600 }),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface OpenedTestApp extends TestApp {
  /** The fresh database this app runs on; dropped by close(). */
  db: TestDatabase;
}

/** A fresh database (copied from the migrated template) and the real app on it; close() removes both. */
export async function openTestApp(
  env: Env = {},
  options: Omit<CreateAppOptions, 'logStream'> = {},
): Promise<OpenedTestApp> {
  const db = await createTestDatabase();
  try {
    const t = await startTestApp(db.url, env, options);
    return {
      ...t,
      db,
      close: async () => {
        await t.close();
        await db.drop();
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
