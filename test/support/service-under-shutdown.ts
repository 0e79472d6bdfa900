import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET } from './app';
import { createTestDatabase, type TestDatabase } from './database';
import { startService, type ServiceProcess } from './service-process';

export interface ServiceUnderShutdown {
  /** The fresh database the service runs on (created before the file's tests, dropped after them). */
  db(): TestDatabase;
  /** The service as a process of its own on that database: the emulator on, no rate limit, plus `env`. */
  start(env?: Record<string, string>): Promise<ServiceProcess>;
}

/**
 * What the shutdown specs start: a service process on a fresh database and data directory, both
 * made in beforeAll and removed in afterAll of the calling describe block.
 */
export function serviceUnderShutdown(dataDirPrefix: string): ServiceUnderShutdown {
  let db: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    db: () => db,
    start: (env = {}) =>
      startService({
        DATABASE_URL: db.url,
        DATA_DIR: dataDir,
        TELEGRAM_EMULATOR: 'true',
        RATE_LIMIT_ENABLED: 'false',
        ...env,
      }),
  };
}

/** The request both shutdown specs load the service with: user 9 lists its accounts (a PostgreSQL read). */
export function accountsListLoad(base: string): { url: URL; headers: Record<string, string> } {
  const token = jwt.sign({ user_id: 9 }, TEST_JWT_SECRET, { expiresIn: 600 });
  return {
    url: new URL(`${base}/api/v1/telegram/accounts?active_only=true`),
    headers: { authorization: `Bearer ${token}` },
  };
}
