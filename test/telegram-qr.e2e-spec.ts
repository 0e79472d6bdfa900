import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './support/app';
import {
  call,
  connect,
  createTelegramWorld,
  sessionRow,
  storedSession,
  type TelegramWorld,
} from './support/telegram';

const PNG_MAGIC = '89504e470d0a1a0a';

/**
 * QR login through HTTP: GET /qr-code starts it, GET /qr-code/{id} polls it, the emulator's dev route
 * plays the phone that scans. Real GramJS client, real PostgreSQL.
 */
describe('Telegram login by QR code', () => {
  let world: TelegramWorld;
  let t: TestApp;
  const seen: string[] = [];
  const secrets: string[] = [];

  const remember = (res: LightMyRequestResponse) => {
    seen.push(res.body);
    return res;
  };
  const startQr = async (userId: number) =>
    remember(await call(t, userId, 'GET', '/api/v1/telegram/qr-code'));
  const poll = async (userId: number, id: string) =>
    remember(await call(t, userId, 'GET', `/api/v1/telegram/qr-code/${id}`));
  const scan = async (userId: number, id: string, phone: string) =>
    remember(
      await call(t, userId, 'POST', '/api/v1/dev/telegram-emulator/qr/scan', { session_id: id, phone }),
    );
  const collect = async (id: string) => {
    const stored = await storedSession(t, world.db, id);
    if (stored) secrets.push(stored.session, ...(stored.qr_token ? [stored.qr_token] : []));
    return stored;
  };

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  it('starts: a PNG QR code of the login token, a session to poll, the code’s expiry', async () => {
    // The token lives 30 s from its export, which happens within the request (an auth-key exchange
    // over TCP first, a few seconds on a loaded machine): measure from the request's start and end.
    const requested = world.emulator.now();
    const res = await startQr(201);
    const answered = world.emulator.now();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      status: 'pending',
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      message: expect.stringContaining('scan'),
      qr_code: expect.any(String),
      expires_at: expect.any(String),
    });
    expect(Buffer.from(body.qr_code, 'base64').subarray(0, 8).toString('hex')).toBe(PNG_MAGIC);
    const expiresAt = Date.parse(body.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(requested + 30_000 - 1000); // expires_at has whole seconds
    expect(expiresAt).toBeLessThanOrEqual(answered + 30_000);
    expect(await sessionRow(world.db, body.session_id)).toMatchObject({
      phone: null,
      is_active: false,
      session_metadata: { status: 'qr_pending', method: 'qr', dc_id: 1 },
    });
    const stored = await collect(body.session_id);
    expect(stored?.qr_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    // Not scanned yet: the same code again.
    const again = await poll(201, body.session_id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'pending', qr_code: body.qr_code });
  });

  it('scanned by a user on the same DC → poll answers success with the account', async () => {
    const id = (await startQr(202)).json().session_id as string;
    await collect(id);
    const scanned = await scan(202, id, '+9996611300');
    expect(scanned.statusCode).toBe(200);
    expect(scanned.json()).toMatchObject({ status: 'scanned', session_id: id });

    const done = await poll(202, id);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'success',
      session_id: id,
      account: {
        id,
        phone: '+9996611300',
        is_active: true,
        session_metadata: { status: 'connected', method: 'qr', dc_id: 1, telegram_user_id: '7000011300' },
      },
    });
    const stored = await collect(id);
    expect(stored?.qr_token).toBeUndefined();
    expect(world.emulator.sessionInfo(stored?.session ?? '')).toMatchObject({ phone: '9996611300' });
    // Polling a finished login keeps answering success without asking Telegram.
    expect((await poll(202, id)).json().status).toBe('success');

    const audit = await world.db.query<{ action: string; status: string }>(
      'SELECT action, status FROM integration_logs WHERE user_id = 202 ORDER BY created_at, id',
    );
    expect(audit.map((r) => [r.action, r.status])).toEqual([
      ['qr_export', 'pending'],
      ['qr_login', 'success'],
    ]);
  });

  it('scanned by a user on another DC → LoginTokenMigrateTo, ImportLoginToken on DC 3 → success', async () => {
    world.emulator.resetRequestCounts();
    const id = (await startQr(203)).json().session_id as string;
    await scan(203, id, '+9996631300');
    const done = await poll(203, id);
    expect(done.json()).toMatchObject({
      status: 'success',
      account: { phone: '+9996631300', session_metadata: { dc_id: 3 } },
    });
    expect(world.emulator.requestCount('auth.ImportLoginToken', 3)).toBe(1);
    const stored = await collect(id);
    expect(world.emulator.sessionInfo(stored?.session ?? '')).toMatchObject({ dcId: 3, phone: '9996631300' });
  });

  it('QR → 2fa_required → wrong password (kept) → success through POST /connect', async () => {
    const id = (await startQr(204)).json().session_id as string;
    await scan(204, id, '+9996612300');
    const asked = await poll(204, id);
    expect(asked.json()).toMatchObject({ status: '2fa_required', session_id: id });
    expect((await sessionRow(world.db, id)).session_metadata).toMatchObject({ status: '2fa_required' });
    expect((await poll(204, id)).json().status).toBe('2fa_required');
    await collect(id);

    const wrong = remember(
      await connect(t, 204, { phone: '+9996612300', password: 'wrong-one', session_id: id }),
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'password_hash_invalid' });

    // Without session_id: the newest QR login of this user waiting for its password.
    const right = remember(await connect(t, 204, { phone: '+9996612300', password: 'emulator-2fa' }));
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({
      status: 'success',
      session_id: id,
      account: { phone: '+9996612300', session_metadata: { status: 'connected', method: 'qr' } },
    });
    expect((await poll(204, id)).json().status).toBe('success');
    await collect(id);
  });

  it('QR on another DC with 2FA: migrate, then password with session_id', async () => {
    const id = (await startQr(205)).json().session_id as string;
    await scan(205, id, '+9996622300');
    expect((await poll(205, id)).json().status).toBe('2fa_required');
    const right = remember(
      await connect(t, 205, { phone: '+9996622300', password: 'emulator-2fa', session_id: id }),
    );
    expect(right.json()).toMatchObject({
      status: 'success',
      account: { session_metadata: { dc_id: 2, telegram_user_id: '7000022300' } },
    });
    await collect(id);
  });

  it('renews an expired QR code on the next poll; the old one cannot be scanned', async () => {
    const first = (await startQr(206)).json();
    await collect(first.session_id);
    world.emulator.advanceTime(31_000);
    const stale = await scan(206, first.session_id, '+9996611301');
    expect(stale.statusCode).toBe(410);
    expect(stale.json()).toMatchObject({ code: 'auth_token_expired' });

    const renewed = await poll(206, first.session_id);
    expect(renewed.json()).toMatchObject({ status: 'pending' });
    expect(renewed.json().qr_code).not.toBe(first.qr_code);
    expect(Date.parse(renewed.json().expires_at)).toBeGreaterThan(Date.parse(first.expires_at));
    await collect(first.session_id);

    expect((await scan(206, first.session_id, '+9996611301')).statusCode).toBe(200);
    expect((await poll(206, first.session_id)).json().status).toBe('success');
  });

  it('a QR login past TELEGRAM_LOGIN_TTL_SECONDS answers 410 login_expired', async () => {
    const id = (await startQr(207)).json().session_id as string;
    await collect(id);
    await world.db.query('UPDATE telegram_sessions SET login_expires_at = $2 WHERE id = $1', [
      id,
      new Date(Date.now() - 1000).toISOString(),
    ]);
    const late = await poll(207, id);
    expect(late.statusCode).toBe(410);
    expect(late.json()).toMatchObject({ code: 'login_expired' });
    expect((await poll(207, id)).statusCode).toBe(410);
    expect(await sessionRow(world.db, id)).toMatchObject({
      session_data: {},
      session_metadata: { status: 'error', last_error: 'login_expired' },
    });
  });

  it("owner-scoped: another user's QR login is 404 to poll and to scan; malformed ids are 400", async () => {
    const id = (await startQr(208)).json().session_id as string;
    await collect(id);
    expect((await poll(209, id)).statusCode).toBe(404);
    expect((await scan(209, id, '+9996611302')).statusCode).toBe(404);
    expect((await sessionRow(world.db, id)).session_metadata).toMatchObject({ status: 'qr_pending' });

    const bad = await poll(208, 'not-a-uuid');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'session_id' }] });
    expect((await scan(208, 'not-a-uuid', '+9996611302')).statusCode).toBe(400);
    expect(
      (await call(t, 208, 'POST', '/api/v1/dev/telegram-emulator/qr/scan', { session_id: id })).statusCode,
    ).toBe(400);
    const anonymous = await t.inject({
      method: 'POST',
      url: '/api/v1/dev/telegram-emulator/qr/scan',
      payload: { session_id: id, phone: '+9996611302' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('polling a phone-code login is 409; a QR login cannot be continued with a code', async () => {
    const sent = remember(await connect(t, 210, { phone: '+9996611303' }));
    const phoneLogin = sent.json().session_id as string;
    await collect(phoneLogin);
    const res = await poll(210, phoneLogin);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'not_a_qr_login' });

    const qr = (await startQr(210)).json().session_id as string;
    await collect(qr);
    const withCode = remember(await connect(t, 210, { phone: '+9996611303', code: '11111', session_id: qr }));
    expect(withCode.statusCode).toBe(409);
    expect(withCode.json()).toMatchObject({ code: 'qr_login_pending' });
  });

  it('never lets a session string or QR token out: responses, logs, plaintext columns', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const everything = [
      ...seen,
      t.rawLogs(),
      JSON.stringify(
        await world.db.query('SELECT phone, session_metadata, session_data FROM telegram_sessions'),
      ),
      JSON.stringify(await world.db.query('SELECT details, error_message FROM integration_logs')),
    ].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('emulator-2fa');
    expect(everything).not.toContain('wrong-one');
    expect(everything).not.toContain('tg://login');
  });
});
