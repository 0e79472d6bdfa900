import { TelegramGateway } from '../src/telegram/gateway/telegram-gateway';
import { startTestApp, type TestApp } from './support/app';
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
const DEV = '/api/v1/dev/telegram-emulator';
const CALL_TIMEOUT_MS = 4000;

/**
 * Issue 16, items 4 and after: the emulator answers as Telegram documents, and the service handles it —
 * through HTTP, real PostgreSQL and the real GramJS client over the emulator. One describe per item.
 */
describe('Telegram fidelity (issue 16, #4 onwards)', () => {
  let world: TelegramWorld;
  let t: TestApp;

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start({ TELEGRAM_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS) });
  });
  afterAll(() => world.cleanup());

  describe('fidelity #4: a forgotten auth key', () => {
    it('forget-key → −404 → revoked with reason auth_key_unknown within TELEGRAM_CALL_TIMEOUT_MS, client destroyed, no retry', async () => {
      const phone = '+9996611440';
      const id = await loginByCode(t, 1640, phone);
      const gateway = t.app.get(TelegramGateway);
      const forgotten = await call(t, 1640, 'POST', `${DEV}/forget-key`, { phone });
      expect(forgotten.statusCode).toBe(200);
      expect(forgotten.json()).toEqual({ forgotten: 1 });

      world.emulator.resetRequestCounts();
      const started = Date.now();
      const res = await call(t, 1640, 'POST', `${ACCOUNTS}/${id}/reconnect`);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(CALL_TIMEOUT_MS);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id,
        is_active: false,
        session_metadata: { status: 'revoked', last_error: 'auth_key_unknown' },
      });
      expect(await sessionRow(world.db, id)).toMatchObject({ is_active: false, session_data: {} });
      expect(gateway.liveClients).toBe(0);
      expect(world.emulator.liveConnectionCount(phone)).toBe(0);

      // Detected once: the next reconnect answers 409 at once, without calling Telegram again.
      const again = await call(t, 1640, 'POST', `${ACCOUNTS}/${id}/reconnect`);
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: 'session_inactive' });
      expect(world.emulator.requestCount('users.GetUsers')).toBe(0);
      const [audit] = await world.db.query<{ status: string; details: Record<string, unknown> }>(
        `SELECT status, details FROM integration_logs WHERE user_id = 1640 AND action = 'reconnect'`,
      );
      expect(audit).toMatchObject({ status: 'error', details: { reason: 'telegram_session_revoked' } });
    });

    it('after a restart (no parked client): connect() itself is never answered, the account turns revoked at once', async () => {
      const phone = '+9996621443';
      const id = await loginByCode(t, 1643, phone);
      await call(t, 1643, 'POST', `${DEV}/forget-key`, { phone });
      const restarted = await world.start({ TELEGRAM_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS) });
      const started = Date.now();
      const res = await call(restarted, 1643, 'POST', `${ACCOUNTS}/${id}/reconnect`);
      expect(Date.now() - started).toBeLessThan(CALL_TIMEOUT_MS);
      expect(res.json()).toMatchObject({
        session_metadata: { status: 'revoked', last_error: 'auth_key_unknown' },
      });
      expect(restarted.app.get(TelegramGateway).liveClients).toBe(0);
    });

    it('forget-key for a phone the caller has no session with → 404', async () => {
      await loginByCode(t, 1641, '+9996611441');
      const other = await call(t, 1642, 'POST', `${DEV}/forget-key`, { phone: '+9996611441' });
      expect(other.statusCode).toBe(404);
    });
  });

  describe('fidelity #7: AUTH_RESTART', () => {
    it('YYYY 6000–6499: sendCode answers AUTH_RESTART once; the service asks again (bounded) and answers code_required', async () => {
      world.emulator.resetRequestCounts();
      const phone = '+9996616101';
      const sent = await connect(t, 1671, { phone });
      expect(sent.statusCode).toBe(200);
      expect(sent.json()).toMatchObject({ status: 'code_required', code_type: 'app' });
      expect(world.emulator.requestCount('auth.SendCode')).toBe(2);
      expect(world.emulator.codesSent('9996616101')).toBe(1);
      const signedIn = await connect(t, 1671, { phone, code: '11111' });
      expect(signedIn.json()).toMatchObject({ status: 'success', session_id: sent.json().session_id });
    });

    it('YYYY 6500–6999: signIn answers AUTH_RESTART; the login restarts with a new code (code_required), then succeeds', async () => {
      const phone = '+9996616601';
      const sent = await connect(t, 1672, { phone });
      const sessionId = sent.json().session_id as string;
      world.emulator.resetRequestCounts();
      const restarted = await connect(t, 1672, { phone, code: '11111' });
      expect(restarted.statusCode).toBe(200);
      expect(restarted.json()).toMatchObject({
        status: 'code_required',
        session_id: sessionId,
        message: expect.stringContaining('AUTH_RESTART'),
      });
      expect(world.emulator.codesSent('9996616601')).toBe(1);
      expect(await sessionRow(world.db, sessionId)).toMatchObject({
        session_metadata: { status: 'code_sent' },
      });
      const audit = await world.db.query<{ status: string; details: Record<string, unknown> }>(
        `SELECT status, details FROM integration_logs WHERE user_id = 1672 AND action = 'sign_in'`,
      );
      expect(audit).toEqual([
        expect.objectContaining({
          status: 'pending',
          details: expect.objectContaining({ outcome: 'auth_restart' }),
        }),
      ]);
      const signedIn = await connect(t, 1672, { phone, code: '11111' });
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.json()).toMatchObject({ status: 'success', session_id: sessionId });
    });
  });

  describe('fidelity #6: API credentials are checked', () => {
    const detailed = async (app: TestApp) =>
      (await app.inject({ method: 'GET', url: '/api/v1/health/detailed' })).json() as {
        status: string;
        components: Record<string, Record<string, unknown>>;
      };

    it('another api_hash: API_ID_INVALID at sendCode and exportLoginToken → 503 telegram_not_configured; health says misconfigured', async () => {
      const other = await createTelegramWorld({ app: { apiId: 12345, apiHash: 'f'.repeat(32) } });
      try {
        const app = await other.start();
        expect((await detailed(app)).components.telegram).toMatchObject({ status: 'healthy' });
        const res = await connect(app, 1661, { phone: '+9996611661' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({
          code: 'telegram_not_configured',
          reason: 'API_ID_INVALID',
          message: expect.stringContaining('API_ID_INVALID'),
        });
        expect(other.emulator.codesSent()).toBe(0);
        const qr = await call(app, 1661, 'GET', '/api/v1/telegram/qr-code');
        expect(qr.statusCode).toBe(503);
        expect(qr.json()).toMatchObject({ code: 'telegram_not_configured', reason: 'API_ID_INVALID' });
        const health = await detailed(app);
        expect(health.status).toBe('degraded');
        expect(health.components.telegram).toMatchObject({
          status: 'misconfigured',
          reason: 'API_ID_INVALID',
          error: expect.stringContaining('API_ID_INVALID'),
        });
      } finally {
        await other.cleanup();
      }
    });

    it('another api_id: CONNECTION_API_ID_INVALID at initConnection → 503 naming it; TELEGRAM_EMULATOR_APP_ID/_HASH set the known app', async () => {
      const app = await world.start({
        TELEGRAM_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS),
        TELEGRAM_EMULATOR_APP_ID: '777',
        TELEGRAM_EMULATOR_APP_HASH: 'a'.repeat(32),
      });
      // The shared world was passed in and keeps its own app; a world made from the environment:
      const own = await startTestApp(world.db.url, {
        RATE_LIMIT_ENABLED: 'false',
        TELEGRAM_EMULATOR: 'true',
        DATA_DIR: world.dataDir,
        TELEGRAM_EMULATOR_APP_ID: '777',
        TELEGRAM_EMULATOR_APP_HASH: 'a'.repeat(32),
      });
      try {
        expect((await connect(app, 1662, { phone: '+9996611662' })).statusCode).toBe(200);
        const res = await connect(own, 1663, { phone: '+9996611663' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({
          code: 'telegram_not_configured',
          reason: 'CONNECTION_API_ID_INVALID',
          message: expect.stringContaining('TELEGRAM_API_ID'),
        });
        expect((await detailed(own)).components.telegram).toMatchObject({
          status: 'misconfigured',
          reason: 'CONNECTION_API_ID_INVALID',
        });
      } finally {
        await own.close();
      }
    });
  });

  describe('fidelity #9: the smaller rules', () => {
    it('setup_password_required (YYYY 1900–1999): the login succeeds and says when Telegram logs it out', async () => {
      const phone = '+9996611950';
      await connect(t, 1691, { phone });
      const res = await connect(t, 1691, { phone, code: '11111' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        status: 'success',
        message: expect.stringContaining('logged out in 7 days'),
      });
      await connect(t, 1691, { phone: '+9996611850' });
      const plain = await connect(t, 1691, { phone: '+9996611850', code: '11111' });
      expect(plain.json().message).toBe('Telegram account connected');
    });

    it('a QR login is signed in when accepted: the scan alone connects the key, the poll reports success', async () => {
      const started = await call(t, 1692, 'GET', '/api/v1/telegram/qr-code');
      const sessionId = started.json().session_id as string;
      const scan = await call(t, 1692, 'POST', `${DEV}/qr/scan`, {
        session_id: sessionId,
        phone: '+9996611692',
      });
      expect(scan.statusCode).toBe(200);
      const secret = await storedSession(t, world.db, sessionId);
      expect(world.emulator.sessionInfo(secret?.session ?? '')).toMatchObject({ phone: '9996611692' });
      const done = await call(t, 1692, 'GET', `/api/v1/telegram/qr-code/${sessionId}`);
      expect(done.json()).toMatchObject({ status: 'success', account: { phone: '+9996611692' } });
    });

    it('406 PHONE_NUMBER_INVALID (method/auth.sendCode) is still 400 phone_number_invalid for the caller', async () => {
      const res = await connect(t, 1693, { phone: '+9996641234' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'phone_number_invalid', reason: 'PHONE_NUMBER_INVALID' });
    });
  });

  describe('fidelity #8: USER_MIGRATE_X for a signed-in session', () => {
    it('migrate-user → USER_MIGRATE_2 → the authorization is carried to DC 2 (export/import), the account stays connected, dc_id 2', async () => {
      const phone = '+9996611880';
      const id = await loginByCode(t, 1681, phone);
      expect((await sessionRow(world.db, id)).session_metadata).toMatchObject({ dc_id: 1 });
      const moved = await call(t, 1681, 'POST', `${DEV}/migrate-user`, { phone, dc: 2 });
      expect(moved.statusCode).toBe(200);
      world.emulator.resetRequestCounts();

      const res = await call(t, 1681, 'POST', `${ACCOUNTS}/${id}/reconnect`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        is_active: true,
        session_metadata: { status: 'connected', dc_id: 2 },
      });
      expect(world.emulator.requestCount('auth.ExportAuthorization', 1)).toBe(1);
      expect(world.emulator.requestCount('auth.ImportAuthorization', 2)).toBe(1);
      const stored = await storedSession(t, world.db, id);
      expect(world.emulator.sessionInfo(stored?.session ?? '')).toMatchObject({
        dcId: 2,
        phone: '9996611880',
      });

      // After a restart (this instance's parked client closed first: one key, one connection) the stored
      // session works on DC 2 directly.
      await t.app.get(TelegramGateway).release(id);
      const restarted = await world.start({ TELEGRAM_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS) });
      world.emulator.resetRequestCounts();
      const again = await call(restarted, 1681, 'POST', `${ACCOUNTS}/${id}/reconnect`);
      expect(again.json()).toMatchObject({ session_metadata: { status: 'connected', dc_id: 2 } });
      expect(world.emulator.requestCount('auth.ExportAuthorization')).toBe(0);
      const synced = await call(restarted, 1681, 'POST', '/api/v1/telegram/channels/sync', {
        session_id: id,
      });
      expect(synced.statusCode).toBe(200);
    });

    it('migrate-user for a phone the caller has no session with → 404; a bad dc → 400', async () => {
      expect(
        (await call(t, 1682, 'POST', `${DEV}/migrate-user`, { phone: '+9996611880', dc: 2 })).statusCode,
      ).toBe(404);
      expect(
        (await call(t, 1681, 'POST', `${DEV}/migrate-user`, { phone: '+9996611880', dc: 4 })).statusCode,
      ).toBe(400);
    });
  });
});
