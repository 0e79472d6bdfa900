import { Parser } from '@asyncapi/parser';
import jwt from 'jsonwebtoken';
import { ALL_EVENT_TYPES } from '../src/events/catalogue/event-types';
import { TEST_JWT_SECRET, type TestApp } from './support/app';
import {
  call,
  connect,
  createTelegramWorld,
  emulatorCode,
  loginByCode,
  storedSession,
  type TelegramWorld,
} from './support/telegram';
import { authedClient, WsClient } from './support/ws-client';

const BOTS = '/api/v1/telegram/bots';
const botToken = (n: number) => `999771${String(n).padStart(4, '0')}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1`;

/**
 * Events without a broker (in-process delivery): every event type produced by the real action, in
 * the outbox in the action's transaction and pushed to the user's own sockets; the WebSocket's
 * authentication, filter, resume and the QR login followed only through the socket.
 */
describe('Events: outbox and WebSocket (in-process delivery)', () => {
  let world: TelegramWorld;
  let t: TestApp;
  let base: string;
  const clients: WsClient[] = [];
  const produced = new Set<string>();
  const secrets: string[] = [];

  const open = async (
    userId: number,
    options: { types?: string[]; lastEventId?: string; resumeIn?: 'auth' | 'subscribe' } = {},
  ) => {
    const client = await authedClient(base, t.token(userId), options);
    clients.push(client);
    return client;
  };
  const outbox = (userId: number) =>
    world.db.query<{
      id: string;
      type: string;
      subject: string;
      data: Record<string, unknown>;
      published_at: Date | null;
    }>(
      'SELECT id, type, subject, data, published_at FROM integration_events WHERE user_id = $1 ORDER BY seq',
      [userId],
    );
  const seen = (client: WsClient) => client.types().forEach((type) => produced.add(type));
  /** A socket sees a login start (its first event is returned), closes; then logins it misses. */
  const seenThenMissed = async (userId: number, seenPhone: string, missedPhones: string[]) => {
    const first = await open(userId);
    await connect(t, userId, { phone: seenPhone });
    const [last] = await first.eventsOf(['telegram.account.login_started']);
    await first.eventsOf(['telegram.account.code_sent']);
    first.close();
    for (const phone of missedPhones) await connect(t, userId, { phone });
    return last;
  };

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start({ WS_AUTH_TIMEOUT_MS: '400', EVENTS_RELAY_INTERVAL_MS: '100' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = await t.app.getUrl();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await world.cleanup();
  });

  it('auth: no token → 4401 after the timeout; a bad token → 4401; no URL token needed', async () => {
    const silent = new WsClient(base);
    await silent.opened;
    expect(await silent.closedWith(3000)).toEqual({ code: 4401, reason: 'Authentication timed out' });

    const bad = new WsClient(base);
    await bad.opened;
    bad.send({ type: 'auth', token: 'not-a-jwt' });
    expect((await bad.closedWith()).code).toBe(4401);

    const wrongKey = new WsClient(base);
    await wrongKey.opened;
    wrongKey.send({
      type: 'auth',
      token: jwt.sign({ user_id: 1 }, 'another-secret-that-is-long-enough-0123456789', { expiresIn: 60 }),
    });
    expect((await wrongKey.closedWith()).code).toBe(4401);

    const early = new WsClient(base);
    await early.opened;
    early.send({ type: 'subscribe', types: [] });
    expect((await early.closedWith()).code).toBe(4401);

    const res = await t.inject({ method: 'GET', url: '/api/v1/ws' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'upgrade_required' });
  });

  it('auth: an expired token → 4401; a token that expires while connected closes the socket then', async () => {
    const expired = jwt.sign({ user_id: 1201, exp: Math.floor(Date.now() / 1000) - 120 }, TEST_JWT_SECRET);
    const late = new WsClient(base);
    await late.opened;
    late.send({ type: 'auth', token: expired });
    expect((await late.closedWith()).code).toBe(4401);

    const short = jwt.sign({ user_id: 1201, exp: Math.floor(Date.now() / 1000) + 2 }, TEST_JWT_SECRET);
    const client = new WsClient(base, { protocols: ['bearer', short] });
    await client.opened;
    expect(client.socket.protocol).toBe('bearer');
    await client.message('authenticated');
    const closed = await client.closedWith(5000);
    expect(closed).toEqual({ code: 4401, reason: 'Token expired' });
  });

  it('phone login with 2FA → login_started, code_sent, 2fa_required, connected; only to its own user', async () => {
    const mine = await open(1202, { types: ['telegram.account.*'] });
    const other = await open(1203);
    const phone = '+9996612001';
    await connect(t, 1202, { phone });
    await connect(t, 1202, { phone, code: emulatorCode(phone) });
    const res = await connect(t, 1202, { phone, password: 'emulator-2fa' });
    expect(res.json().status).toBe('success');
    const id = res.json().session_id as string;
    const events = await mine.eventsOf([
      'telegram.account.login_started',
      'telegram.account.code_sent',
      'telegram.account.2fa_required',
      'telegram.account.connected',
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'telegram.account.login_started',
      'telegram.account.code_sent',
      'telegram.account.2fa_required',
      'telegram.account.connected',
    ]);
    for (const e of events) {
      expect(e).toMatchObject({
        userid: 1202,
        subject: `sessions/${id}`,
        data: { session_id: id, phone: '+999*****01' },
      });
    }
    // The outbox holds the same events, published (in-process), in commit order.
    // (delivered before the relay's mark commits: wait for the mark)
    const rows = await mine.until(async () => {
      const stored = await outbox(1202);
      return stored.every((r) => r.published_at !== null) ? stored : undefined;
    });
    expect(rows.map((r) => r.id)).toEqual(events.map((e) => e.id));
    const stored = await storedSession(t, world.db, id);
    secrets.push(stored?.session ?? 'x');
    seen(mine);
    await new Promise((r) => setTimeout(r, 300));
    expect(other.events()).toEqual([]);
  });

  it('resend, disconnect, reconnect of a revoked session, an expired login → code_sent, disconnected, revoked, error', async () => {
    const client = await open(1204);
    const phone = '+9996611204';
    const sent = await connect(t, 1204, { phone });
    const pending = sent.json().session_id as string;
    expect(sent.statusCode).toBe(200);
    await connect(t, 1204, { phone, resend: true });
    await world.db.query(
      "UPDATE telegram_sessions SET login_expires_at = now() - interval '1 minute' WHERE id = $1",
      [pending],
    );
    await connect(t, 1204, { phone, code: emulatorCode(phone) });
    await client.eventsOf(['telegram.account.error']);

    const revokedId = await loginByCode(t, 1204, '+9996611205');
    // Checked on the way, so that a missing `revoked` event below names the step that went wrong.
    const revoke = await call(t, 1204, 'POST', '/api/v1/dev/telegram-emulator/revoke', {
      phone: '+9996611205',
    });
    expect(revoke.json()).toEqual({ revoked: 1 });
    const reconnect = await call(t, 1204, 'POST', `/api/v1/telegram/accounts/${revokedId}/reconnect`);
    expect([reconnect.statusCode, reconnect.json().session_metadata?.status]).toEqual([200, 'revoked']);
    const liveId = await loginByCode(t, 1204, '+9996611206');
    await call(t, 1204, 'POST', `/api/v1/telegram/accounts/${liveId}/reconnect`);
    await call(t, 1204, 'DELETE', `/api/v1/telegram/accounts/${liveId}`);
    const events = await client.eventsOf(['telegram.account.revoked', 'telegram.account.disconnected']);
    expect(events.filter((e) => e.type === 'telegram.account.code_sent').length).toBeGreaterThanOrEqual(2);
    expect(events.find((e) => e.type === 'telegram.account.error')?.data).toMatchObject({
      reason: 'login_expired',
    });
    expect(events.find((e) => e.type === 'telegram.account.revoked')?.data).toMatchObject({
      session_id: revokedId,
      reason: 'AUTH_KEY_UNREGISTERED',
    });
    seen(client);
  });

  it('the QR login followed only through the socket: token_renewed, scanned, succeeded; 2fa_required; expired', async () => {
    const client = await open(1205, { types: ['telegram.qr_login.*'] });
    const first = (await call(t, 1205, 'GET', '/api/v1/telegram/qr-code')).json().session_id as string;
    world.emulator.advanceTime(31_000);
    await client.eventsOf(['telegram.qr_login.token_renewed'], 8000);
    await call(t, 1205, 'POST', '/api/v1/dev/telegram-emulator/qr/scan', {
      session_id: first,
      phone: '+9996611301',
    });
    await client.eventsOf(['telegram.qr_login.scanned', 'telegram.qr_login.succeeded'], 8000);

    const second = (await call(t, 1205, 'GET', '/api/v1/telegram/qr-code')).json().session_id as string;
    await call(t, 1205, 'POST', '/api/v1/dev/telegram-emulator/qr/scan', {
      session_id: second,
      phone: '+9996612302',
    });
    await client.eventsOf(['telegram.qr_login.2fa_required'], 8000);

    const third = (await call(t, 1205, 'GET', '/api/v1/telegram/qr-code')).json().session_id as string;
    await world.db.query(
      "UPDATE telegram_sessions SET login_expires_at = now() - interval '1 minute' WHERE id = $1",
      [third],
    );
    await client.eventsOf(['telegram.qr_login.expired'], 8000);
    // Only what the filter asked for.
    expect(client.types().every((type) => type.startsWith('telegram.qr_login.'))).toBe(true);
    const bySession = (id: string) =>
      client
        .events()
        .filter((e) => e.data.session_id === id)
        .map((e) => e.type);
    expect(bySession(first)).toEqual([
      'telegram.qr_login.token_renewed',
      'telegram.qr_login.scanned',
      'telegram.qr_login.succeeded',
    ]);
    expect(bySession(second)).toEqual(['telegram.qr_login.scanned', 'telegram.qr_login.2fa_required']);
    seen(client);
  });

  it('bots and channels: added, revoked, removed, synced; no token in any event', async () => {
    const client = await open(1206, { types: ['telegram.bot.*', 'telegram.channels.*'] });
    const token = botToken(1206);
    secrets.push(token);
    const added = (await call(t, 1206, 'POST', BOTS, { bot_token: token })).json().id as string;
    await call(t, 1206, 'POST', '/api/v1/dev/telegram-emulator/bots/revoke', { bot_id: added });
    await call(t, 1206, 'POST', `${BOTS}/${added}/check`);
    const second = (await call(t, 1206, 'POST', BOTS, { bot_token: botToken(1207) })).json().id as string;
    await call(t, 1206, 'DELETE', `${BOTS}/${second}`);
    const session = await loginByCode(t, 1206, '+9996611507');
    await call(t, 1206, 'POST', '/api/v1/telegram/channels/sync', { session_id: session });
    const events = await client.eventsOf([
      'telegram.bot.added',
      'telegram.bot.revoked',
      'telegram.bot.removed',
      'telegram.channels.synced',
    ]);
    expect(events.find((e) => e.type === 'telegram.bot.revoked')?.data).toMatchObject({ bot_id: added });
    expect(events.find((e) => e.type === 'telegram.channels.synced')?.data).toMatchObject({
      session_id: session,
    });
    seen(client);
  });

  it('every non-message event type was produced by its action; no secret in the outbox', async () => {
    const expected = ALL_EVENT_TYPES.filter((type) => !type.startsWith('telegram.message.'));
    expect([...produced].sort()).toEqual([...expected].sort());
    const [{ dump }] = await world.db.query<{ dump: string }>(
      "SELECT string_agg(data::text, ' ') AS dump FROM integration_events",
    );
    for (const secret of secrets) expect(dump).not.toContain(secret);
    expect(dump).not.toMatch(/\+9996\d{6}/);
  });

  it('resume: a reconnecting client gets what it missed after its last event id, once', async () => {
    const last = await seenThenMissed(1208, '+9996611208', ['+9996611209', '+9996611210']);
    // In `auth`: nothing can be pushed live before the replay.
    const again = await open(1208, { lastEventId: last.id, resumeIn: 'auth' });
    const resumed = await again.message('resumed');
    expect(resumed).toMatchObject({ replayed: 5, complete: true });
    const ids = again.events().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(again.types()).toEqual([
      'telegram.account.code_sent',
      'telegram.account.login_started',
      'telegram.account.code_sent',
      'telegram.account.login_started',
      'telegram.account.code_sent',
    ]);
    const unknown = await open(1208, { lastEventId: '00000000-0000-4000-8000-000000000000' });
    expect(await unknown.message('resume_failed')).toMatchObject({ code: 'unknown_event' });
  });

  it('resume in subscribe: events pushed live since authentication are not replayed again', async () => {
    const last = await seenThenMissed(1230, '+9996611230', ['+9996611231']);
    const again = await open(1230);
    await connect(t, 1230, { phone: '+9996611232' });
    // Pushed live: the last login's two events (and any of the one before that the relay sent late).
    const live = (await again.eventsOf(['telegram.account.login_started', 'telegram.account.code_sent'])).map(
      (e) => e.id,
    );
    again.send({ type: 'subscribe', types: [], last_event_id: last.id });
    const resumed = await again.message('resumed');
    const ids = again.events().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The five events after `last` (code_sent, then two logins), each once: live or replayed.
    expect(ids).toHaveLength(5);
    expect(resumed).toMatchObject({ replayed: 5 - live.length, complete: true });
    expect(ids.slice(0, live.length)).toEqual(live);
  });

  it('subscribe rejects unknown types; per-user connection cap; metrics and health report the outbox', async () => {
    const client = await open(1209);
    client.send({ type: 'subscribe', types: ['telegram.nothing.*'] });
    expect(await client.message('error')).toMatchObject({ code: 'unknown_type' });
    const capped = await createCapped();
    expect(capped).toBe(4429);

    const metrics = (await t.inject('/metrics')).body;
    expect(metrics).toMatch(/integration_events_published_total\{type="telegram.account.connected"\} \d+/);
    expect(metrics).toMatch(/integration_ws_connections \d+/);
    expect(metrics).toMatch(/integration_ws_messages_pushed_total\{type="telegram.account.code_sent"\} \d+/);
    expect(metrics).toContain('integration_ws_clients_dropped_total');
    expect(metrics).toContain('integration_events_outbox_backlog');
    expect(metrics).toContain('integration_events_outbox_oldest_age_seconds');
    const health = (await t.inject('/api/v1/health/detailed')).json();
    expect(health.components.outbox).toMatchObject({ status: 'healthy', delivery: 'in-process', backlog: 0 });
  });

  async function createCapped(): Promise<number> {
    const cap = t.config.events.ws.maxConnectionsPerUser;
    for (let i = 0; i < cap; i += 1) await open(1210);
    const extra = new WsClient(base);
    await extra.opened;
    extra.send({ type: 'auth', token: t.token(1210) });
    return (await extra.closedWith()).code;
  }

  it('throttled like REST: each connection counts in the user’s API bucket; past the limit → 4429', async () => {
    const limited = await world.start({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_API_LIMIT: '3' });
    await limited.app.listen({ port: 0, host: '127.0.0.1' });
    const url = await limited.app.getUrl();
    const ok = await authedClient(url, limited.token(1211));
    clients.push(ok);
    const rest = await call(limited, 1211, 'GET', '/api/v1/telegram/accounts');
    expect(rest.statusCode).toBe(200);
    clients.push(await authedClient(url, limited.token(1211)));
    const over = new WsClient(url);
    await over.opened;
    over.send({ type: 'auth', token: limited.token(1211) });
    expect(await over.closedWith()).toEqual({ code: 4429, reason: 'Rate limit exceeded' });
    expect((await call(limited, 1211, 'GET', '/api/v1/telegram/accounts')).statusCode).toBe(429);
    // Another user's bucket is their own.
    clients.push(await authedClient(url, limited.token(1212)));
  });

  it('/asyncapi.json is a valid AsyncAPI 3.0 document naming every event type', async () => {
    const res = await t.inject('/asyncapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const { document, diagnostics } = await new Parser().parse(doc);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const names = document
      ?.allMessages()
      .all()
      .map((m) => m.name());
    expect(names?.sort()).toEqual([...ALL_EVENT_TYPES].sort());
  });
});
