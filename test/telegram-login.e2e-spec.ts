import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './support/app';
import { bearer } from './support/app';
import {
  connect as rawConnect,
  createTelegramWorld,
  plaintextColumns,
  sessionRow,
  storedSession,
  type TelegramWorld,
} from './support/telegram';

/**
 * Phone-code and 2FA login through HTTP, real PostgreSQL, and the real GramJS client over the
 * Telegram emulator (phones 99966XYYYY: home DC X, code X×5, YYYY 2xxx 2FA, YYYY 8xxx flood-limited).
 */
describe('Telegram login by phone code (POST /api/v1/telegram/connect)', () => {
  let world: TelegramWorld;
  let t: TestApp;
  /** Every response body and header seen, for the "no secret ever leaves" check at the end. */
  const seen: string[] = [];
  /** Every StringSession and phone code hash the service stored, read back by decrypting. */
  const secrets: string[] = [];

  const remember = (res: LightMyRequestResponse) => {
    seen.push(res.body, JSON.stringify(res.headers));
    return res;
  };
  const connect = async (userId: number, body: Record<string, unknown>) =>
    remember(await rawConnect(t, userId, body));
  const collectSecrets = async (sessionId: string) => {
    const stored = await storedSession(t, world.db, sessionId);
    if (stored) secrets.push(stored.session, ...(stored.phone_code_hash ? [stored.phone_code_hash] : []));
    return stored;
  };
  const auditRows = (userId: number) =>
    world.db.query<{
      action: string;
      status: string;
      details: Record<string, unknown>;
      error_message: string | null;
    }>(
      'SELECT action, status, details, error_message FROM integration_logs WHERE user_id = $1 ORDER BY created_at, id',
      [userId],
    );

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  it('sends a code, then signs in: success, encrypted session, account listed, audit rows (timed)', async () => {
    const started = performance.now();
    const sent = await connect(101, { phone: '+9996611234' });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toEqual({
      status: 'code_required',
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      message: expect.stringContaining('code'),
      expires_at: expect.any(String),
      code_type: 'app',
      next_code_type: null,
      resend_after: null,
    });
    const sessionId = sent.json().session_id as string;
    const pending = await collectSecrets(sessionId);
    expect(pending?.phone_code_hash).toMatch(/^[0-9a-f]{18}$/);
    expect(await sessionRow(world.db, sessionId)).toMatchObject({
      phone: '+9996611234',
      is_active: false,
      session_metadata: { status: 'code_sent', method: 'phone_code', dc_id: 1 },
    });

    const signedIn = await connect(101, { phone: '+9996611234', code: '11111' });
    const elapsedMs = performance.now() - started;
    console.log(`phone-code login through HTTP (send code → sign in): ${elapsedMs.toFixed(1)} ms`);
    expect(signedIn.statusCode).toBe(200);
    const body = signedIn.json();
    expect(body).toMatchObject({ status: 'success', session_id: sessionId });
    expect(body.account).toMatchObject({
      id: sessionId,
      user_id: 101,
      phone: '+9996611234',
      is_active: true,
      session_metadata: {
        status: 'connected',
        method: 'phone_code',
        telegram_user_id: '7000011234',
        username: 'emu9996611234',
        first_name: 'Elif',
        dc_id: 1,
        last_connected_at: expect.any(String),
        last_error: null,
      },
    });

    const row = await sessionRow(world.db, sessionId);
    expect(row.session_data).toMatchObject({ cipher: 'local-aes-256-gcm', ciphertext: expect.any(String) });
    const stored = await collectSecrets(sessionId);
    expect(stored?.session).toMatch(/^1[A-Za-z0-9+/=]{300,}$/);
    expect(stored?.phone_code_hash).toBeUndefined();
    expect(world.emulator.sessionInfo(stored?.session ?? '')).toMatchObject({ dcId: 1, phone: '9996611234' });

    const list = remember(
      await t.inject({ url: '/api/v1/telegram/accounts', headers: bearer(t.token(101)) }),
    );
    expect(list.json().map((a: { id: string }) => a.id)).toEqual([sessionId]);

    const audit = await auditRows(101);
    expect(audit.map((r) => [r.action, r.status])).toEqual([
      ['send_code', 'success'],
      ['sign_in', 'success'],
    ]);
    expect(audit[0].details).toMatchObject({ session_id: sessionId, phone: '+999*****34', dc_id: 1 });
  });

  it('follows PHONE_MIGRATE to the phone’s home DC (DC 3) and signs in there', async () => {
    world.emulator.resetRequestCounts();
    const sent = await connect(102, { phone: '9996631234' });
    expect(sent.statusCode).toBe(200);
    const sessionId = sent.json().session_id as string;
    expect((await sessionRow(world.db, sessionId)).session_metadata).toMatchObject({ dc_id: 3 });
    expect(world.emulator.requestCount('auth.SendCode', 1)).toBe(1);
    expect(world.emulator.requestCount('auth.SendCode', 3)).toBe(1);

    const signedIn = await connect(102, { phone: '9996631234', code: '33333' });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().account).toMatchObject({
      phone: '+9996631234',
      session_metadata: { status: 'connected', dc_id: 3, telegram_user_id: '7000031234' },
    });
    const stored = await collectSecrets(sessionId);
    expect(world.emulator.sessionInfo(stored?.session ?? '')).toMatchObject({ dcId: 3, phone: '9996631234' });
  });

  it('survives a restart between code_required and the sign-in (state in PostgreSQL, same emulator world)', async () => {
    const sent = await connect(103, { phone: '+9996621234' });
    expect(sent.statusCode).toBe(200);
    const sessionId = sent.json().session_id as string;
    await collectSecrets(sessionId);

    await t.close();
    expect(world.emulator.liveConnectionCount()).toBe(0); // every client was destroyed on shutdown
    t = await world.start();

    const signedIn = await connect(103, { phone: '+9996621234', code: '22222' });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json()).toMatchObject({ status: 'success', session_id: sessionId });
    expect(signedIn.json().account.session_metadata).toMatchObject({ status: 'connected', dc_id: 2 });
    await collectSecrets(sessionId);
  });

  it('keeps the login on a wrong code (400 phone_code_invalid), then accepts the right one', async () => {
    const sent = await connect(104, { phone: '+9996611235' });
    const sessionId = sent.json().session_id as string;
    await collectSecrets(sessionId);

    const wrong = await connect(104, { phone: '+9996611235', code: '12345' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      code: 'phone_code_invalid',
      reason: 'PHONE_CODE_INVALID',
      message: expect.stringContaining('wrong'),
    });
    expect((await sessionRow(world.db, sessionId)).session_metadata).toMatchObject({ status: 'code_sent' });

    const right = await connect(104, { phone: '+9996611235', code: '11111' });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({ status: 'success', session_id: sessionId });

    const audit = await auditRows(104);
    expect(audit.map((r) => [r.action, r.status, r.details.reason ?? null])).toEqual([
      ['send_code', 'success', null],
      ['sign_in', 'error', 'phone_code_invalid'],
      ['sign_in', 'success', null],
    ]);
  });

  it("answers phone_code_expired once Telegram's code expired, and ends that login", async () => {
    const sent = await connect(105, { phone: '+9996611236' });
    const sessionId = sent.json().session_id as string;
    await collectSecrets(sessionId);
    world.emulator.advanceTime(5 * 60_000 + 1_000);

    const late = await connect(105, { phone: '+9996611236', code: '11111' });
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({
      code: 'phone_code_expired',
      message: expect.stringContaining('new one'),
    });
    const row = await sessionRow(world.db, sessionId);
    expect(row).toMatchObject({
      is_active: false,
      session_data: {},
      session_metadata: { status: 'error', last_error: 'PHONE_CODE_EXPIRED' },
    });

    const again = await connect(105, { phone: '+9996611236', code: '11111' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'login_not_started' });

    // A new code starts over and works.
    expect((await connect(105, { phone: '+9996611236' })).statusCode).toBe(200);
    expect((await connect(105, { phone: '+9996611236', code: '11111' })).json().status).toBe('success');
  });

  it('ends a pending login after TELEGRAM_LOGIN_TTL_SECONDS with 410 login_expired', async () => {
    const sent = await connect(106, { phone: '+9996611237' });
    const sessionId = sent.json().session_id as string;
    await collectSecrets(sessionId);
    await world.db.query('UPDATE telegram_sessions SET login_expires_at = $2 WHERE id = $1', [
      sessionId,
      new Date(Date.now() - 1000).toISOString(),
    ]);
    const late = await connect(106, { phone: '+9996611237', code: '11111' });
    expect(late.statusCode).toBe(410);
    expect(late.json()).toMatchObject({ code: 'login_expired' });
    expect(await sessionRow(world.db, sessionId)).toMatchObject({
      session_data: {},
      session_metadata: { status: 'error', last_error: 'login_expired' },
    });
  });

  it('2FA: code → 2fa_required; wrong password → 400 (state kept); right password → success', async () => {
    const phone = '+9996622345';
    const sent = await connect(107, { phone });
    const sessionId = sent.json().session_id as string;
    await collectSecrets(sessionId);

    const afterCode = await connect(107, { phone, code: '22222' });
    expect(afterCode.statusCode).toBe(200);
    expect(afterCode.json()).toMatchObject({
      status: '2fa_required',
      session_id: sessionId,
      message: expect.stringContaining('password'),
    });
    expect((await sessionRow(world.db, sessionId)).session_metadata).toMatchObject({
      status: '2fa_required',
      dc_id: 2,
    });
    await collectSecrets(sessionId);

    const wrong = await connect(107, { phone, password: 'not-the-password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'password_hash_invalid' });
    expect((await sessionRow(world.db, sessionId)).session_metadata).toMatchObject({
      status: '2fa_required',
    });

    // Sending the (spent) code again with the password is fine: only the password matters now.
    const right = await connect(107, { phone, code: '22222', password: 'emulator-2fa' });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({ status: 'success', session_id: sessionId });
    expect(right.json().account.session_metadata).toMatchObject({ telegram_user_id: '7000022345' });
    await collectSecrets(sessionId);

    const audit = await auditRows(107);
    expect(audit.map((r) => [r.action, r.status, r.details.reason ?? null])).toEqual([
      ['send_code', 'success', null],
      ['sign_in', 'pending', null],
      ['check_password', 'error', 'password_hash_invalid'],
      ['check_password', 'success', null],
    ]);
  });

  it('2FA with code and password in one request; a wrong password there leaves the login at 2fa_required', async () => {
    const phone = '+9996612001';
    await collectSecrets((await connect(108, { phone })).json().session_id);
    const wrong = await connect(108, { phone, code: '11111', password: 'nope' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'password_hash_invalid' });
    const right = await connect(108, { phone, password: 'emulator-2fa' });
    expect(right.statusCode).toBe(200);
    expect(right.json().status).toBe('success');

    const phone2 = '+9996612002';
    await connect(108, { phone: phone2 });
    const once = await connect(108, { phone: phone2, code: '11111', password: 'emulator-2fa' });
    expect(once.statusCode).toBe(200);
    expect(once.json().status).toBe('success');
    await collectSecrets(once.json().session_id);
  });

  it('FLOOD_WAIT on SendCode → 429 with Retry-After: 120, no row, audited', async () => {
    const res = await connect(109, { phone: '+9996618123' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('120');
    expect(res.json()).toMatchObject({ code: 'telegram_flood_wait', retry_after: 120 });
    expect(await world.db.query('SELECT id FROM telegram_sessions WHERE user_id = 109')).toEqual([]);
    const [row] = await auditRows(109);
    expect(row).toMatchObject({
      action: 'send_code',
      status: 'error',
      details: { reason: 'telegram_flood_wait', retry_after: 120, phone: '+999*****23' },
    });
  });

  it('maps Telegram refusing the phone to 400 phone_number_invalid', async () => {
    const res = await connect(110, { phone: '+9996641234' }); // there is no DC 4 in the emulator's world
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'phone_number_invalid', reason: 'PHONE_NUMBER_INVALID' });
  });

  it.each([
    [{ phone: 'abc' }, 'phone'],
    [{ phone: '+12' }, 'phone'],
    [{ phone: '+9996611234', code: '12' }, 'code'],
    [{ phone: '+9996611234', code: 11111 }, 'code'],
    [{ phone: '+9996611234', password: '' }, 'password'],
    [{ phone: '+9996611234', session_id: 'nope' }, 'session_id'],
    [{ phone: '+9996611234', extra: 1 }, 'extra'],
    [{}, 'phone'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const res = await connect(111, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed' });
    expect(res.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('needs a token; continuing a login that was never started is 409 login_not_started', async () => {
    const anonymous = await t.inject({
      method: 'POST',
      url: '/api/v1/telegram/connect',
      payload: { phone: '+9996611234' },
    });
    expect(anonymous.statusCode).toBe(401);
    const res = await connect(112, { phone: '+9996619999', code: '11111' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'login_not_started' });
  });

  it("another user's pending login is invisible (phone lookup is per user; session_id → 404)", async () => {
    const sent = await connect(113, { phone: '+9996611240' });
    const sessionId = sent.json().session_id as string;
    await collectSecrets(sessionId);
    expect((await connect(114, { phone: '+9996611240', code: '11111' })).statusCode).toBe(409);
    const byId = await connect(114, { phone: '+9996611240', code: '11111', session_id: sessionId });
    expect(byId.statusCode).toBe(404);
    expect((await sessionRow(world.db, sessionId)).session_metadata).toMatchObject({ status: 'code_sent' });
  });

  it('connecting the same Telegram account again replaces the old session (one row, old key logged out)', async () => {
    const phone = '+9996611250';
    const first = await rawLogin(115, phone);
    const firstSession = (await collectSecrets(first))?.session ?? '';
    const second = await rawLogin(115, phone);
    expect(second).not.toBe(first);
    await collectSecrets(second);

    const rows = await world.db.query<{ id: string }>('SELECT id FROM telegram_sessions WHERE user_id = 115');
    expect(rows.map((r) => r.id)).toEqual([second]);
    expect(world.emulator.sessionInfo(firstSession)).toMatchObject({ known: true, phone: undefined });

    async function rawLogin(userId: number, p: string): Promise<string> {
      await connect(userId, { phone: p });
      const res = await connect(userId, { phone: p, code: '11111' });
      expect(res.json().status).toBe('success');
      return res.json().session_id as string;
    }
  });

  it('counts login attempts and sessions by status in /metrics', async () => {
    const text = (await t.inject('/metrics')).body;
    expect(text).toMatch(/telegram_login_attempts_total\{method="phone_code",result="code_sent"\} \d+/);
    expect(text).toMatch(/telegram_login_attempts_total\{method="phone_code",result="success"\} \d+/);
    expect(text).toMatch(
      /telegram_login_attempts_total\{method="password",result="password_hash_invalid"\} \d+/,
    );
    expect(text).toMatch(
      /telegram_login_attempts_total\{method="phone_code",result="telegram_flood_wait"\} 1/,
    );
    expect(text).toMatch(/telegram_sessions\{status="connected"\} [1-9]\d*/);
    expect(text).toMatch(/telegram_sessions\{status="revoked"\} 0/);
    expect(text).toMatch(
      /telegram_request_duration_seconds_count\{operation="auth.SignIn",outcome="ok"\} \d+/,
    );
  });

  it('never lets a session string, code hash, code or password out: responses, logs, plaintext columns', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const logs = t.rawLogs();
    const columns = await plaintextColumns(world.db);
    const sessionData = JSON.stringify(await world.db.query('SELECT session_data FROM telegram_sessions'));
    const everything = [...seen, logs, columns, sessionData].join('\n');
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      if (secret.length > 100) expect(everything).not.toContain(secret.slice(100, 160)); // a piece of the auth key
    }
    for (const text of [...seen, logs, columns]) {
      expect(text).not.toContain('emulator-2fa');
      expect(text).not.toContain('not-the-password');
      expect(text).not.toMatch(/"(11111|22222|33333|12345)"/); // codes as JSON values
    }
    // Phones are masked in log lines and audit rows (the account's own phone column is not a secret).
    const audit = JSON.stringify(await world.db.query('SELECT details, error_message FROM integration_logs'));
    for (const text of [logs, audit]) expect(text).not.toMatch(/9996\d{6}/);
  });
});
