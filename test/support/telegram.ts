import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { Env } from '../../src/config/env';
import {
  TelegramEmulator,
  TelegramEmulatorServer,
  type TelegramEmulatorOptions,
} from '@integration-service/telegram-emulator';
import {
  listedEntity,
  listedValues,
  type ListedSessionRow,
} from '../../src/telegram/accounts/listed-session';
import { toSessionMetadata } from '../../src/telegram/accounts/session-metadata';
import { isSecretEnvelope, SECRET_CIPHER, type SecretCipher } from '../../src/vault';
import { bearer, startTestApp, type TestApp } from './app';
import { createTestDatabase, type TestDatabase } from './database';

/**
 * One emulated Telegram world, one database and one data directory (the local cipher's key ring)
 * shared by every app instance a test starts — so a "restart" is a new app on the same state. The
 * world is served over TCP by an emulator server on free ports (MTProto 2.0: the apps use the real
 * GramJS TelegramClient); `TELEGRAM_TEST_TRANSPORT=in-process` uses the in-process fake sender instead.
 */
export interface TelegramWorld {
  db: TestDatabase;
  emulator: TelegramEmulator;
  /** The TCP server in front of `emulator` (undefined in the in-process mode). */
  server?: TelegramEmulatorServer;
  dataDir: string;
  start(env?: Env): Promise<TestApp>;
  cleanup(): Promise<void>;
}

/**
 * `transport: 'in-process'` keeps one file on the fake sender whatever TELEGRAM_TEST_TRANSPORT says: for
 * tests whose call timeouts are shorter than an auth-key exchange over TCP (the watchdog's 300 ms).
 */
export async function createTelegramWorld(
  options: TelegramEmulatorOptions = {},
  { transport }: { transport?: 'tcp' | 'in-process' } = {},
): Promise<TelegramWorld> {
  const db = await createTestDatabase();
  const emulator = new TelegramEmulator(options);
  const inProcess = (transport ?? process.env.TELEGRAM_TEST_TRANSPORT) === 'in-process';
  const server = inProcess ? undefined : new TelegramEmulatorServer(emulator);
  await server?.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'telegram-test-'));
  const apps: TestApp[] = [];
  return {
    db,
    emulator,
    server,
    dataDir,
    start: async (env = {}) => {
      const app = await startTestApp(
        db.url,
        { RATE_LIMIT_ENABLED: 'false', TELEGRAM_EMULATOR: 'true', DATA_DIR: dataDir, ...env },
        { telegramEmulator: emulator, telegramEmulatorServer: server },
      );
      // Closing an app closes its TCP connections; the server sees their FINs a few turns later.
      const closeApp = app.close;
      app.close = async () => {
        await closeApp();
        await server?.settle();
      };
      apps.push(app);
      return app;
    },
    cleanup: async () => {
      for (const app of apps.splice(0)) await app.close().catch(() => undefined);
      await server?.stop();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function connect(
  t: TestApp,
  userId: number,
  body: Record<string, unknown>,
): Promise<LightMyRequestResponse> {
  return t.inject({
    method: 'POST',
    url: '/api/v1/telegram/connect',
    headers: bearer(t.token(userId)),
    payload: body,
  });
}

export function call(
  t: TestApp,
  userId: number,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
): Promise<LightMyRequestResponse> {
  return t.inject({ method, url, headers: bearer(t.token(userId)), ...(payload ? { payload } : {}) });
}

/** Phone-code login to the end (with the emulator's code, and its 2FA password when asked). */
export async function loginByCode(t: TestApp, userId: number, phone: string): Promise<string> {
  const sent = await connect(t, userId, { phone });
  if (sent.statusCode !== 200) throw new Error(`send code: ${sent.statusCode} ${sent.body}`);
  const code = emulatorCode(phone);
  let res = await connect(t, userId, { phone, code });
  if (res.statusCode === 200 && res.json().status === '2fa_required') {
    res = await connect(t, userId, { phone, password: 'emulator-2fa' });
  }
  if (res.statusCode !== 200 || res.json().status !== 'success') {
    throw new Error(`sign in: ${res.statusCode} ${res.body}`);
  }
  return res.json().session_id as string;
}

/** The emulator's code for 99966XYYYY: X five times. */
export function emulatorCode(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.charAt(5).repeat(5);
}

/** Decrypts a row's session_data with the app's own cipher (only tests do this). */
export async function storedSession(
  t: TestApp,
  db: TestDatabase,
  sessionId: string,
): Promise<{ session: string; phone_code_hash?: string; qr_token?: string } | undefined> {
  const [row] = await db.query<{ user_id: number; session_data: unknown }>(
    'SELECT user_id, session_data FROM telegram_sessions WHERE id = $1',
    [sessionId],
  );
  if (!row || !isSecretEnvelope(row.session_data)) return undefined;
  const cipher = t.app.get<SecretCipher>(SECRET_CIPHER);
  return JSON.parse(await cipher.decrypt(row.session_data, row.user_id)) as {
    session: string;
    phone_code_hash?: string;
    qr_token?: string;
  };
}

export interface StoredSessionRow {
  user_id: number;
  phone: string | null;
  session_data: Record<string, unknown>;
  /** Built from the state columns by the service's own mapper: what the API would answer. */
  session_metadata: Record<string, unknown>;
  is_active: boolean;
}

/** A row as stored, its state columns read back through the service's mapper (toSessionMetadata). */
export async function sessionRow(db: TestDatabase, sessionId: string): Promise<StoredSessionRow> {
  const [row] = await db.query('SELECT * FROM telegram_sessions WHERE id = $1', [sessionId]);
  if (!row) return row;
  const state = listedEntity(listedValues(row as ListedSessionRow));
  return {
    user_id: row.user_id as number,
    phone: row.phone as string | null,
    session_data: row.session_data as Record<string, unknown>,
    session_metadata: { ...toSessionMetadata(state) },
    is_active: row.is_active as boolean,
  };
}

/** Every text column of both tables, as one string (for "this secret never appears in plaintext" checks). */
export async function plaintextColumns(db: TestDatabase): Promise<string> {
  const sessions = await db.query(
    `SELECT (to_jsonb(s) - 'session_data')::text AS columns FROM telegram_sessions s`,
  );
  const logs = await db.query(
    'SELECT action, status, details::text AS d, error_message FROM integration_logs',
  );
  return JSON.stringify({ sessions, logs });
}
