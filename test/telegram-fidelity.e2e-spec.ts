import { setTimeout as sleep } from 'node:timers/promises';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { StringSession } from 'telegram/sessions';
import { EmulatedTelegramClient } from '@integration-service/telegram-emulator';
import { EMULATOR_API_CREDENTIALS } from '../src/telegram-emulator-wiring/emulator-credentials';
import type { TestApp } from './support/app';
import {
  call,
  connect,
  createTelegramWorld,
  loginByCode,
  sessionRow,
  storedSession,
  type TelegramWorld,
} from './support/telegram';

/**
 * Issue 16: the emulator answers as Telegram documents (method/*.html), and the service handles it —
 * through HTTP, real PostgreSQL, and the real GramJS client over the emulator. One describe per item.
 */
describe('Telegram fidelity (issue 16)', () => {
  let world: TelegramWorld;
  let t: TestApp;
  const auditRows = (userId: number, action: string) =>
    world.db.query<{ status: string; details: Record<string, unknown>; error_message: string | null }>(
      'SELECT status, details, error_message FROM integration_logs WHERE user_id = $1 AND action = $2 ORDER BY created_at, id',
      [userId, action],
    );

  beforeAll(async () => {
    world = await createTelegramWorld({ resendTimeoutSeconds: 1 });
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  describe('fidelity #1: code types and resending', () => {
    it('SMS (YYYY 4000–4999): code_type sms, next call after the timeout; resend refused before it, then by call', async () => {
      const phone = '+9996614321';
      const sent = await connect(t, 1601, { phone });
      expect(sent.statusCode).toBe(200);
      const body = sent.json();
      expect(body).toMatchObject({
        status: 'code_required',
        code_type: 'sms',
        next_code_type: 'call',
        message: expect.stringContaining('SMS'),
      });
      const resendAfter = Date.parse(body.resend_after as string);
      expect(resendAfter - Date.now()).toBeGreaterThan(0);
      expect(resendAfter - Date.now()).toBeLessThanOrEqual(1000);

      const early = await connect(t, 1601, { phone, resend: true });
      expect(early.statusCode).toBe(429);
      expect(early.json()).toMatchObject({ code: 'code_resend_too_early' });
      expect(early.headers['retry-after']).toBe('1');
      expect(world.emulator.codesSent('9996614321')).toBe(1);

      await sleep(Math.max(0, resendAfter - Date.now()) + 50);
      const resent = await connect(t, 1601, { phone, resend: true });
      expect(resent.statusCode).toBe(200);
      expect(resent.json()).toMatchObject({
        status: 'code_required',
        session_id: body.session_id,
        code_type: 'call',
        next_code_type: null,
        resend_after: null,
        message: expect.stringContaining('call'),
      });
      expect(world.emulator.codesSent('9996614321')).toBe(2);
      expect(await auditRows(1601, 'resend_code')).toEqual([
        expect.objectContaining({
          status: 'success',
          details: expect.objectContaining({ code_type: 'call' }),
        }),
      ]);

      // Nothing left to resend by: Telegram's SEND_CODE_UNAVAILABLE, and the login is kept.
      const none = await connect(t, 1601, { phone, resend: true });
      expect(none.statusCode).toBe(422);
      expect(none.json()).toMatchObject({ code: 'send_code_unavailable' });
      expect(await sessionRow(world.db, body.session_id as string)).toMatchObject({
        session_metadata: { status: 'code_sent' },
      });

      const signedIn = await connect(t, 1601, { phone, code: '11111' });
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.json()).toMatchObject({ status: 'success', session_id: body.session_id });
    });

    it('app code: code_type app, no resend; resend with a code is 400; resend without a login is 409', async () => {
      const sent = await connect(t, 1602, { phone: '+9996621234' });
      expect(sent.json()).toMatchObject({ code_type: 'app', next_code_type: null, resend_after: null });
      const withCode = await connect(t, 1602, { phone: '+9996621234', resend: true, code: '22222' });
      expect(withCode.statusCode).toBe(400);
      expect(withCode.json().errors).toEqual([expect.objectContaining({ field: 'resend' })]);
      const unavailable = await connect(t, 1602, { phone: '+9996621234', resend: true });
      expect(unavailable.statusCode).toBe(422);
      expect(unavailable.json()).toMatchObject({ code: 'send_code_unavailable' });
      const noLogin = await connect(t, 1602, { phone: '+9996621299', resend: true });
      expect(noLogin.statusCode).toBe(409);
      expect(noLogin.json()).toMatchObject({ code: 'login_not_started' });
    });

    it('email setup required (YYYY 5000–5999): 422 email_setup_required, no login kept', async () => {
      const res = await connect(t, 1603, { phone: '+9996615000' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'email_setup_required',
        message: expect.stringContaining('email'),
      });
      expect(await world.db.query('SELECT id FROM telegram_sessions WHERE user_id = $1', [1603])).toEqual([]);
      expect(await auditRows(1603, 'send_code')).toEqual([
        expect.objectContaining({
          status: 'error',
          details: expect.objectContaining({ phone: expect.any(String) }),
        }),
      ]);
    });
  });

  describe('fidelity #2: unregistered numbers', () => {
    it('YYYY 9000–9999: a code is sent, the right code is 422 phone_number_unoccupied, the login ends', async () => {
      const phone = '+9996619123';
      const sent = await connect(t, 1621, { phone });
      expect(sent.statusCode).toBe(200);
      const sessionId = sent.json().session_id as string;
      const wrong = await connect(t, 1621, { phone, code: '12345' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({ code: 'phone_code_invalid' });

      const res = await connect(t, 1621, { phone, code: '11111' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'phone_number_unoccupied',
        message: expect.stringContaining('signing up is not supported'),
      });
      expect(await sessionRow(world.db, sessionId)).toMatchObject({
        is_active: false,
        session_data: {},
        session_metadata: { status: 'error', last_error: 'PHONE_NUMBER_UNOCCUPIED' },
      });
      const again = await connect(t, 1621, { phone, code: '11111' });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: 'login_not_started' });
      expect(await auditRows(1621, 'sign_in')).toEqual([
        expect.objectContaining({ status: 'error' }),
        expect.objectContaining({
          status: 'error',
          details: expect.objectContaining({ reason: 'phone_number_unoccupied' }),
        }),
      ]);
    });
  });

  describe('fidelity #3: limits beyond sendCode', () => {
    it('after 5 wrong codes: 429 telegram_flood_wait with Retry-After 300, the login kept', async () => {
      const phone = '+9996611777';
      const sent = await connect(t, 1631, { phone });
      const sessionId = sent.json().session_id as string;
      for (let i = 0; i < 5; i += 1) {
        const wrong = await connect(t, 1631, { phone, code: '12345' });
        expect(wrong.statusCode).toBe(400);
      }
      const flood = await connect(t, 1631, { phone, code: '11111' });
      expect(flood.statusCode).toBe(429);
      expect(flood.json()).toMatchObject({ code: 'telegram_flood_wait', retry_after: 300 });
      expect(flood.headers['retry-after']).toBe('300');
      expect(await sessionRow(world.db, sessionId)).toMatchObject({
        session_metadata: { status: 'code_sent' },
      });
    });

    it('after 5 wrong passwords in an hour: 429 with Retry-After, the login kept waiting for its password', async () => {
      const phone = '+9996612777';
      await connect(t, 1632, { phone });
      const pending = await connect(t, 1632, { phone, code: '11111' });
      expect(pending.json()).toMatchObject({ status: '2fa_required' });
      for (let i = 0; i < 5; i += 1) {
        const wrong = await connect(t, 1632, { phone, password: 'not-it' });
        expect(wrong.statusCode).toBe(400);
        expect(wrong.json()).toMatchObject({ code: 'password_hash_invalid' });
      }
      const flood = await connect(t, 1632, { phone, password: 'emulator-2fa' });
      expect(flood.statusCode).toBe(429);
      expect(flood.json()).toMatchObject({ code: 'telegram_flood_wait' });
      expect(Number(flood.headers['retry-after'])).toBeGreaterThan(280);
      expect(await sessionRow(world.db, pending.json().session_id as string)).toMatchObject({
        session_metadata: { status: '2fa_required' },
      });
    }, 30_000);

    it('PHONE_NUMBER_FLOOD (YYYY 7000–7499) is 429 phone_number_flood; PHONE_NUMBER_BANNED (7500–7599) 422', async () => {
      const flood = await connect(t, 1633, { phone: '+9996617001' });
      expect(flood.statusCode).toBe(429);
      expect(flood.json()).toMatchObject({ code: 'phone_number_flood', retry_after: 3600 });
      expect(flood.headers['retry-after']).toBe('3600');
      const banned = await connect(t, 1633, { phone: '+9996617501' });
      expect(banned.statusCode).toBe(422);
      expect(banned.json()).toMatchObject({ code: 'phone_number_banned' });
      const flood120 = await connect(t, 1633, { phone: '+9996618001' });
      expect(flood120.statusCode).toBe(429);
      expect(flood120.headers['retry-after']).toBe('120');
      expect(await world.db.query('SELECT id FROM telegram_sessions WHERE user_id = $1', [1633])).toEqual([]);
    });
  });

  describe('fidelity #5: duplicated keys are fatal, as on Telegram', () => {
    it('by default a key used from a second connection dies for both: the account turns error AUTH_KEY_DUPLICATED', async () => {
      const id = await loginByCode(t, 1651, '+9996611651');
      // The service keeps the signed-in client parked (connected): the intruder is the second connection.
      const stolen = (await storedSession(t, world.db, id))?.session ?? '';
      const intruder = new EmulatedTelegramClient(
        world.emulator,
        new StringSession(stolen),
        EMULATOR_API_CREDENTIALS.apiId,
        EMULATOR_API_CREDENTIALS.apiHash,
        { baseLogger: new Logger(LogLevel.NONE), connectionRetries: 1 },
      );
      try {
        await expect(intruder.connect()).rejects.toMatchObject({ errorMessage: 'AUTH_KEY_DUPLICATED' });
        const res = await call(t, 1651, 'POST', `/api/v1/telegram/accounts/${id}/reconnect`);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({
          is_active: false,
          session_metadata: { status: 'error', last_error: 'AUTH_KEY_DUPLICATED' },
        });
        expect(world.emulator.sessionInfo(stolen)).toMatchObject({ known: true });
      } finally {
        await intruder.destroy();
      }
    });
  });
});
