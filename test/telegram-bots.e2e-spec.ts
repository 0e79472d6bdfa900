import type { TestApp } from './support/app';
import { bearer } from './support/app';
import { createTelegramWorld, type TelegramWorld } from './support/telegram';

const BOTS = '/api/v1/telegram/bots';
const SECRET_PART = 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa';
/** An emulated bot's token: 99977DNNNN + ':' + 35 characters. */
const tokenOf = (dc: number, n: number, tail = 'w1') =>
  `99977${dc}${String(n).padStart(4, '0')}:${SECRET_PART}${tail}`;

describe('Telegram bots: add by token, list, settings, check, remove', () => {
  let world: TelegramWorld;
  let t: TestApp;
  const seenBodies: string[] = [];

  const req = async (
    userId: number,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => {
    const res = await t.inject({
      method,
      url,
      headers: bearer(t.token(userId)),
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    seenBodies.push(res.body);
    return res;
  };

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  it('adds a bot through GramJS (DC migration), username from Telegram, secrets encrypted', async () => {
    world.emulator.resetRequestCounts();
    const token = tokenOf(2, 1);
    const res = await req(501, 'POST', BOTS, { bot_token: token, settings: { signature: 'CF' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      user_id: 501,
      telegram_bot_id: '9997720001',
      username: 'emu_0001_bot',
      first_name: 'Emulated bot 0001',
      can_join_groups: true,
      dc_id: 2,
      settings: { signature: 'CF' },
      status: 'active',
      is_active: true,
      last_error: null,
    });
    expect(Object.keys(res.json()).sort()).toEqual(
      [
        'can_join_groups',
        'can_read_all_group_messages',
        'created_at',
        'dc_id',
        'first_name',
        'id',
        'is_active',
        'last_checked_at',
        'last_error',
        'revoked_at',
        'settings',
        'status',
        'telegram_bot_id',
        'updated_at',
        'user_id',
        'username',
      ].sort(),
    );
    // The fresh session lands on DC 1, is told USER_MIGRATE_2, and logs in there.
    expect(world.emulator.requestCount('auth.ImportBotAuthorization', 1)).toBe(1);
    expect(world.emulator.requestCount('auth.ImportBotAuthorization', 2)).toBe(1);
    expect(world.emulator.requestCount('users.GetUsers', 2)).toBe(1);

    const [row] = await world.db.query<Record<string, unknown>>('SELECT * FROM telegram_bots WHERE id = $1', [
      res.json().id,
    ]);
    expect(row.bot_token).toMatchObject({ ciphertext: expect.any(String) });
    expect(row.bot_session).toMatchObject({ ciphertext: expect.any(String) });
    expect(JSON.stringify(row)).not.toContain(SECRET_PART);
    // No StringSession in plaintext anywhere but inside the two envelopes (whose base64 ciphertext
    // may itself start with "1": that is not a session string).
    const { bot_token: _token, bot_session: _session, ...plain } = row;
    expect(JSON.stringify(plain)).not.toMatch(/"1[A-Za-z0-9+/=]{300,}/);

    const [audit] = await world.db.query<{ status: string; details: Record<string, unknown> }>(
      `SELECT status, details FROM integration_logs WHERE user_id = 501 AND action = 'bot_add'`,
    );
    expect(audit).toMatchObject({ status: 'success', details: { bot_id: res.json().id, dc_id: 2 } });
  });

  it('the same bot twice for one user → 409; another user gets their own row', async () => {
    const token = tokenOf(1, 2);
    expect((await req(502, 'POST', BOTS, { bot_token: token })).statusCode).toBe(201);
    const again = await req(502, 'POST', BOTS, { bot_token: token });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('bot_already_added');
    const other = await req(503, 'POST', BOTS, { bot_token: token });
    expect(other.statusCode).toBe(201);
    expect(other.json()).toMatchObject({ user_id: 503, username: 'emu_0002_bot' });
  });

  it('malformed token → 400 without calling Telegram; unknown token → 400 bot_token_invalid', async () => {
    world.emulator.resetRequestCounts();
    for (const bad of ['nope', '1234:short', `${tokenOf(1, 3)}x`, 12345]) {
      const res = await req(504, 'POST', BOTS, { bot_token: bad });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('validation_failed');
      if (typeof bad === 'string') expect(res.body).not.toContain(bad);
    }
    expect(world.emulator.requestCount('auth.ImportBotAuthorization')).toBe(0);

    const unknown = `123456789:${SECRET_PART}zz`;
    const res = await req(504, 'POST', BOTS, { bot_token: unknown });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'bot_token_invalid', reason: 'ACCESS_TOKEN_INVALID' });
    expect(res.body).not.toContain(SECRET_PART);
    expect(world.emulator.requestCount('auth.ImportBotAuthorization')).toBe(1);
    const audit = await world.db.query<{ status: string }>(
      `SELECT status FROM integration_logs WHERE user_id = 504 AND action = 'bot_add'`,
    );
    expect(audit).toEqual([{ status: 'error' }]);
  });

  it('revoked in BotFather → check answers revoked, inactive, reason kept, secrets wiped; then 409', async () => {
    const added = await req(505, 'POST', BOTS, { bot_token: tokenOf(3, 4) });
    const id = added.json().id as string;
    const ok = await req(505, 'POST', `${BOTS}/${id}/check`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'active', is_active: true });

    const revoke = await req(505, 'POST', '/api/v1/dev/telegram-emulator/bots/revoke', { bot_id: id });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json().revoked).toBeGreaterThanOrEqual(1);

    const checked = await req(505, 'POST', `${BOTS}/${id}/check`);
    expect(checked.statusCode).toBe(200);
    expect(checked.json()).toMatchObject({
      status: 'revoked',
      is_active: false,
      last_error: 'AUTH_KEY_UNREGISTERED',
      revoked_at: expect.any(String),
    });
    const [row] = await world.db.query<Record<string, unknown>>(
      'SELECT bot_token, bot_session FROM telegram_bots WHERE id = $1',
      [id],
    );
    expect(row).toEqual({ bot_token: {}, bot_session: {} });
    const again = await req(505, 'POST', `${BOTS}/${id}/check`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('bot_inactive');

    // The revoked token itself no longer logs in; a new token of the same bot does.
    const old = await req(505, 'POST', BOTS, { bot_token: tokenOf(3, 4) });
    expect(old.statusCode).toBe(400);
    expect(old.json().code).toBe('bot_token_revoked');
    expect((await req(505, 'POST', BOTS, { bot_token: tokenOf(3, 4, 'w2') })).statusCode).toBe(201);
  });

  it('lists, reads, updates settings (validated, size-limited) and removes (logs out, wipes)', async () => {
    const added = await req(506, 'POST', BOTS, { bot_token: tokenOf(1, 5) });
    const id = added.json().id as string;
    expect((await req(506, 'GET', BOTS)).json().map((b: { id: string }) => b.id)).toEqual([id]);
    expect((await req(506, 'GET', `${BOTS}/${id}`)).json().id).toBe(id);

    const patched = await req(506, 'PATCH', `${BOTS}/${id}`, { settings: { silent: true } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().settings).toEqual({ silent: true });
    for (const bad of [{ settings: [1] }, { settings: 'x' }, {}, { settings: { a: 'x'.repeat(20_000) } }]) {
      expect((await req(506, 'PATCH', `${BOTS}/${id}`, bad)).statusCode).toBe(400);
    }
    expect((await req(506, 'PATCH', `${BOTS}/${id}`, { settings: {}, extra: 1 })).statusCode).toBe(400);

    world.emulator.resetRequestCounts();
    const removed = await req(506, 'DELETE', `${BOTS}/${id}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ status: 'removed', is_active: false });
    expect(world.emulator.requestCount('auth.LogOut')).toBe(1);
    const [row] = await world.db.query<Record<string, unknown>>(
      'SELECT bot_token, bot_session FROM telegram_bots WHERE id = $1',
      [id],
    );
    expect(row).toEqual({ bot_token: {}, bot_session: {} });
    expect((await req(506, 'GET', BOTS)).json()).toEqual([]);
    expect((await req(506, 'GET', `${BOTS}?active_only=false`)).json()).toHaveLength(1);
    // Removed: it can be added again.
    expect((await req(506, 'POST', BOTS, { bot_token: tokenOf(1, 5) })).statusCode).toBe(201);

    const actions = await world.db.query<{ action: string; status: string }>(
      `SELECT action, status FROM integration_logs WHERE user_id = 506 ORDER BY created_at`,
    );
    expect(actions.map((a) => a.action)).toEqual(['bot_add', 'bot_update', 'bot_remove', 'bot_add']);
  });

  it('another user’s bot is 404 on every route; a malformed id 400', async () => {
    const id = (await req(507, 'POST', BOTS, { bot_token: tokenOf(2, 6) })).json().id as string;
    const routes: ['GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?][] = [
      ['GET', `${BOTS}/${id}`],
      ['PATCH', `${BOTS}/${id}`, { settings: {} }],
      ['POST', `${BOTS}/${id}/check`],
      ['DELETE', `${BOTS}/${id}`],
      ['POST', '/api/v1/dev/telegram-emulator/bots/revoke', { bot_id: id }],
    ];
    for (const [method, url, body] of routes) {
      expect((await req(508, method, url, body)).statusCode).toBe(404);
    }
    expect((await req(507, 'GET', `${BOTS}/${id}`)).json().is_active).toBe(true);
    expect((await req(507, 'GET', `${BOTS}/not-a-uuid`)).statusCode).toBe(400);
    expect((await t.inject({ method: 'GET', url: BOTS })).statusCode).toBe(401);
  });

  it('no bot token or session string in any response or log line', () => {
    const everything = seenBodies.join('\n') + t.rawLogs();
    expect(everything).not.toContain(SECRET_PART);
    expect(everything).not.toMatch(/\b1[A-Za-z0-9+/]{340,}={0,2}/);
  });
});
