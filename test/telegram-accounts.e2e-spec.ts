import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { StringSession } from 'telegram/sessions';
import { loadConfig } from '../src/config/app-config';
import { EmulatedTelegramClient, TelegramEmulator } from '@integration-service/telegram-emulator';
import { EMULATOR_API_CREDENTIALS } from '../src/telegram-emulator-wiring/emulator-credentials';
import type { TestApp } from './support/app';
import { bearer, startTestApp } from './support/app';
import { createTestDatabase } from './support/database';
import {
  call,
  connect,
  createTelegramWorld,
  loginByCode,
  sessionRow,
  storedSession,
  type TelegramWorld,
} from './support/telegram';

const ACCOUNTS = '/api/v1/telegram/accounts';

/** Listing, reading, disconnecting and reconnecting accounts; revocation; faults; configuration. */
describe('Telegram accounts: list, disconnect, reconnect', () => {
  let world: TelegramWorld;
  let t: TestApp;

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  it('lists and reads the caller’s accounts (active only by default), never session data', async () => {
    const id = await loginByCode(t, 301, '+9996611400');
    await connect(t, 301, { phone: '+9996611401' }); // a login left pending (inactive)

    const active = await call(t, 301, 'GET', ACCOUNTS);
    expect(active.json().map((a: { id: string }) => a.id)).toEqual([id]);
    const all = await call(t, 301, 'GET', `${ACCOUNTS}?active_only=false`);
    expect(
      all.json().map((a: { session_metadata: { status: string } }) => a.session_metadata.status),
    ).toEqual(['code_sent', 'connected']);
    const one = await call(t, 301, 'GET', `${ACCOUNTS}/${id}`);
    expect(one.statusCode).toBe(200);
    expect(Object.keys(one.json()).sort()).toEqual([
      'created_at',
      'id',
      'is_active',
      'phone',
      'session_metadata',
      'updated_at',
      'user_id',
    ]);
    expect(one.body).not.toContain('ciphertext');
  });

  it('reconnect proves the stored session with a real call and keeps the client for reuse', async () => {
    const id = await loginByCode(t, 302, '+9996621400');
    const before = (await sessionRow(world.db, id)).session_metadata.last_connected_at as string;
    world.emulator.resetRequestCounts();

    const res = await call(t, 302, 'POST', `${ACCOUNTS}/${id}/reconnect`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      is_active: true,
      session_metadata: { status: 'connected', dc_id: 2, username: 'emu9996621400', last_error: null },
    });
    expect(Date.parse(res.json().session_metadata.last_connected_at)).toBeGreaterThanOrEqual(
      Date.parse(before),
    );
    expect(world.emulator.requestCount('users.GetUsers', 2)).toBe(1);
    // One live client for the account, kept after sign-in and reused (no second connection, no duplicate key).
    expect(world.emulator.liveConnectionCount('9996621400')).toBe(1);
    expect((await call(t, 302, 'POST', `${ACCOUNTS}/${id}/reconnect`)).statusCode).toBe(200);
    expect(world.emulator.liveConnectionCount('9996621400')).toBe(1);

    const audit = await world.db.query<{ action: string; status: string }>(
      `SELECT action, status FROM integration_logs WHERE user_id = 302 AND action = 'reconnect'`,
    );
    expect(audit).toEqual([
      { action: 'reconnect', status: 'success' },
      { action: 'reconnect', status: 'success' },
    ]);
  });

  it('reconnect after Telegram revoked the session → revoked, inactive, reason kept, never retried', async () => {
    const id = await loginByCode(t, 303, '+9996611402');
    const session = (await storedSession(t, world.db, id))?.session ?? '';
    const revoke = await call(t, 303, 'POST', '/api/v1/dev/telegram-emulator/revoke', {
      phone: '+9996611402',
    });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json()).toEqual({ revoked: 1 });

    const res = await call(t, 303, 'POST', `${ACCOUNTS}/${id}/reconnect`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      is_active: false,
      session_metadata: {
        status: 'revoked',
        last_error: 'AUTH_KEY_UNREGISTERED',
        revoked_at: expect.any(String),
      },
    });
    expect((await sessionRow(world.db, id)).session_data).toEqual({});
    expect(world.emulator.liveConnectionCount('9996611402')).toBe(0);
    expect(world.emulator.sessionInfo(session)).toMatchObject({ revokedReason: 'AUTH_KEY_UNREGISTERED' });

    world.emulator.resetRequestCounts();
    const again = await call(t, 303, 'POST', `${ACCOUNTS}/${id}/reconnect`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'session_inactive',
      message: expect.stringContaining('AUTH_KEY_UNREGISTERED'),
    });
    expect(world.emulator.requestCount('users.GetUsers')).toBe(0);

    const [audit] = await world.db.query<{ status: string; details: Record<string, unknown> }>(
      `SELECT status, details FROM integration_logs WHERE user_id = 303 AND action = 'reconnect'`,
    );
    expect(audit).toMatchObject({ status: 'error', details: { reason: 'telegram_session_revoked' } });

    // The list shows it only with active_only=false.
    expect((await call(t, 303, 'GET', ACCOUNTS)).json()).toEqual([]);
    // Logging in again works and starts a fresh session.
    const fresh = await loginByCode(t, 303, '+9996611402');
    expect(
      (await call(t, 303, 'POST', `${ACCOUNTS}/${fresh}/reconnect`)).json().session_metadata.status,
    ).toBe('connected');
  });

  it('SESSION_REVOKED and USER_DEACTIVATED-style reasons are kept as given', async () => {
    const id = await loginByCode(t, 304, '+9996631402');
    await call(t, 304, 'POST', '/api/v1/dev/telegram-emulator/revoke', {
      phone: '+9996631402',
      reason: 'SESSION_REVOKED',
    });
    const res = await call(t, 304, 'POST', `${ACCOUNTS}/${id}/reconnect`);
    expect(res.json().session_metadata).toMatchObject({ status: 'revoked', last_error: 'SESSION_REVOKED' });
    const bad = await call(t, 304, 'POST', '/api/v1/dev/telegram-emulator/revoke', {
      phone: 'x',
      reason: 'NOPE',
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['phone', 'reason']);
  });

  it('disconnect logs out of Telegram, closes the client, deactivates and wipes; repeating is harmless', async () => {
    const id = await loginByCode(t, 305, '+9996611403');
    const session = (await storedSession(t, world.db, id))?.session ?? '';
    expect(world.emulator.liveConnectionCount('9996611403')).toBe(1);

    const res = await call(t, 305, 'DELETE', `${ACCOUNTS}/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id,
      is_active: false,
      session_metadata: { status: 'disconnected', disconnected_at: expect.any(String) },
    });
    const [raw] = await world.db.query<{ session_data: string }>(
      'SELECT session_data::text AS session_data FROM telegram_sessions WHERE id = $1',
      [id],
    );
    expect(raw.session_data).toBe('{}');
    expect(world.emulator.sessionInfo(session)).toMatchObject({ known: true, phone: undefined });
    expect(world.emulator.liveConnectionCount('9996611403')).toBe(0);
    expect(world.emulator.requestCount('auth.LogOut')).toBeGreaterThanOrEqual(1);

    const again = await call(t, 305, 'DELETE', `${ACCOUNTS}/${id}`);
    expect(again.statusCode).toBe(200);
    expect(again.json().is_active).toBe(false);
    const reconnect = await call(t, 305, 'POST', `${ACCOUNTS}/${id}/reconnect`);
    expect(reconnect.statusCode).toBe(409);
    expect(reconnect.json()).toMatchObject({ code: 'session_inactive' });

    const audit = await world.db.query<{ status: string; details: Record<string, unknown> }>(
      `SELECT status, details FROM integration_logs WHERE user_id = 305 AND action = 'disconnect' ORDER BY created_at`,
    );
    expect(audit[0]).toMatchObject({ status: 'success', details: { session_id: id, logged_out: true } });
  });

  it('disconnect of a session Telegram already revoked just deactivates it; of a pending login cancels it', async () => {
    const id = await loginByCode(t, 306, '+9996611404');
    await call(t, 306, 'POST', '/api/v1/dev/telegram-emulator/revoke', { phone: '+9996611404' });
    const res = await call(t, 306, 'DELETE', `${ACCOUNTS}/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().session_metadata).toMatchObject({
      status: 'disconnected',
      last_error: 'AUTH_KEY_UNREGISTERED',
    });

    const pending = (await connect(t, 306, { phone: '+9996611405' })).json().session_id as string;
    const cancelled = await call(t, 306, 'DELETE', `${ACCOUNTS}/${pending}`);
    expect(cancelled.json()).toMatchObject({
      is_active: false,
      session_metadata: { status: 'disconnected' },
    });
    expect((await sessionRow(world.db, pending)).session_data).toEqual({});
    expect((await connect(t, 306, { phone: '+9996611405', code: '11111' })).statusCode).toBe(409);
    expect((await call(t, 306, 'POST', `${ACCOUNTS}/${pending}/reconnect`)).statusCode).toBe(409);
  });

  it("another user's session is 404 on every route (and untouched); malformed ids are 400", async () => {
    const id = await loginByCode(t, 307, '+9996611406');
    for (const [method, url] of [
      ['GET', `${ACCOUNTS}/${id}`],
      ['DELETE', `${ACCOUNTS}/${id}`],
      ['POST', `${ACCOUNTS}/${id}/reconnect`],
    ] as const) {
      const res = await call(t, 308, method, url);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found' });
      expect(res.body).not.toContain('9996611406');
    }
    expect(await sessionRow(world.db, id)).toMatchObject({
      is_active: true,
      session_metadata: { status: 'connected' },
    });

    for (const [method, url] of [
      ['GET', `${ACCOUNTS}/123`],
      ['DELETE', `${ACCOUNTS}/not-a-uuid`],
      ['POST', `${ACCOUNTS}/zzz/reconnect`],
    ] as const) {
      const res = await call(t, 307, method, url);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'session_id' }] });
    }
    expect((await t.inject({ method: 'DELETE', url: `${ACCOUNTS}/${id}` })).statusCode).toBe(401);
  });

  it('describes every Telegram route in OpenAPI under telegram-accounts', async () => {
    const doc = (await t.inject('/openapi.json')).json();
    const routes: [string, string][] = [
      ['/api/v1/telegram/connect', 'post'],
      ['/api/v1/telegram/qr-code', 'get'],
      ['/api/v1/telegram/qr-code/{session_id}', 'get'],
      ['/api/v1/telegram/accounts', 'get'],
      ['/api/v1/telegram/accounts/{session_id}', 'get'],
      ['/api/v1/telegram/accounts/{session_id}', 'delete'],
      ['/api/v1/telegram/accounts/{session_id}/reconnect', 'post'],
    ];
    for (const [path, method] of routes) {
      const op = doc.paths[path]?.[method];
      expect(op).toBeDefined();
      expect(op.tags).toEqual(['telegram-accounts']);
      expect(op.summary).toEqual(expect.any(String));
    }
    expect(doc.components.schemas.ConnectAccountDto.properties.phone.example).toBe('+9996621234');
    expect(doc.components.schemas.LoginResponseDto.properties.status.enum).toEqual([
      'success',
      'pending',
      'code_required',
      '2fa_required',
    ]);
  });
});

describe('Telegram accounts: AUTH_KEY_DUPLICATED', () => {
  let world: TelegramWorld;
  let t: TestApp;

  beforeAll(async () => {
    // The emulator's default (kill-key): a key used from two connections at once dies for both, as Telegram does.
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  it('a key used elsewhere at the same time → reconnect reports error AUTH_KEY_DUPLICATED, needs a new login', async () => {
    const id = await loginByCode(t, 320, '+9996611420');
    const stolen = (await storedSession(t, world.db, id))?.session ?? '';
    const intruder = new EmulatedTelegramClient(
      world.emulator,
      new StringSession(stolen),
      EMULATOR_API_CREDENTIALS.apiId,
      EMULATOR_API_CREDENTIALS.apiHash,
      { baseLogger: new Logger(LogLevel.NONE), connectionRetries: 1 },
    );
    try {
      await intruder.connect().catch(() => undefined);
      const res = await call(t, 320, 'POST', `${ACCOUNTS}/${id}/reconnect`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        is_active: false,
        session_metadata: { status: 'error', last_error: 'AUTH_KEY_DUPLICATED' },
      });
      expect((await sessionRow(world.db, id)).session_data).toEqual({});
      expect((await call(t, 320, 'POST', `${ACCOUNTS}/${id}/reconnect`)).statusCode).toBe(409);
    } finally {
      await intruder.destroy();
    }
  });
});

describe('Telegram accounts: faults and configuration', () => {
  it('a Telegram that stops answering → 503 within TELEGRAM_CALL_TIMEOUT_MS, state kept, then recovers', async () => {
    const emulator = new TelegramEmulator();
    const db = await createTestDatabase();
    const t = await startTestApp(
      db.url,
      { RATE_LIMIT_ENABLED: 'false', TELEGRAM_EMULATOR: 'true', TELEGRAM_CALL_TIMEOUT_MS: '300' },
      { telegramEmulator: emulator },
    );
    try {
      const id = await loginByCode(t, 330, '+9996611430');
      emulator.unresponsive = true;
      const started = Date.now();
      const res = await call(t, 330, 'POST', `${ACCOUNTS}/${id}/reconnect`);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json()).toMatchObject({
        code: 'dependency_unavailable',
        dependency: 'telegram',
        reason: 'timeout',
      });
      expect(
        (await call(t, 330, 'POST', '/api/v1/telegram/connect', { phone: '+9996611431' })).statusCode,
      ).toBe(503);
      expect(await sessionRow(db, id)).toMatchObject({
        is_active: true,
        session_metadata: { status: 'connected', last_error: 'dependency_unavailable' },
      });

      emulator.unresponsive = false;
      const back = await call(t, 330, 'POST', `${ACCOUNTS}/${id}/reconnect`);
      expect(back.statusCode).toBe(200);
      expect(back.json().session_metadata).toMatchObject({ status: 'connected', last_error: null });
    } finally {
      await t.close();
      await db.drop();
    }
  });

  it('without API credentials and without the emulator, Telegram routes answer 503 and the rest runs', async () => {
    const db = await createTestDatabase();
    const t = await startTestApp(db.url, { RATE_LIMIT_ENABLED: 'false', TELEGRAM_EMULATOR: 'false' });
    try {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/telegram/connect',
        headers: bearer(t.token(340)),
        payload: { phone: '+9996611440' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        code: 'telegram_not_configured',
        message: expect.stringContaining('TELEGRAM_API_ID'),
      });
      expect(
        (await t.inject({ url: '/api/v1/telegram/qr-code', headers: bearer(t.token(340)) })).statusCode,
      ).toBe(503);
      expect((await t.inject({ url: ACCOUNTS, headers: bearer(t.token(340)) })).statusCode).toBe(200);
      expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(200);
      const detailed = (await t.inject('/api/v1/health/detailed')).json();
      expect(detailed.components.telegram).toMatchObject({ status: expect.stringMatching(/down|unhealthy/) });
      // The emulator's control routes do not exist.
      const dev = await t.inject({
        method: 'POST',
        url: '/api/v1/dev/telegram-emulator/revoke',
        headers: bearer(t.token(340)),
        payload: { phone: '+9996611440' },
      });
      expect(dev.statusCode).toBe(404);
    } finally {
      await t.close();
      await db.drop();
    }
  });

  it('the emulator is the development default, off with credentials, and refused in production', () => {
    const base = { JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgresql://u:p@127.0.0.1/db_test' };
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).telegram.emulator).toBe(true);
    expect(
      loadConfig({
        ...base,
        NODE_ENV: 'development',
        TELEGRAM_API_ID: '1234',
        TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
      }).telegram.emulator,
    ).toBe(false);
    expect(
      loadConfig({ ...base, NODE_ENV: 'development', VAULT_URL: 'http://127.0.0.1:8200', VAULT_TOKEN: 't' })
        .telegram.emulator,
    ).toBe(false);
    expect(() =>
      loadConfig({
        ...base,
        NODE_ENV: 'production',
        ALLOW_DEVELOPMENT_DEFAULTS: 'true',
        TELEGRAM_EMULATOR: 'true',
      }),
    ).toThrow(/TELEGRAM_EMULATOR: the Telegram emulator is refused with NODE_ENV=production/);
    expect(
      loadConfig({ ...base, NODE_ENV: 'production', ALLOW_DEVELOPMENT_DEFAULTS: 'true' }).telegram.emulator,
    ).toBe(false);
  });
});
