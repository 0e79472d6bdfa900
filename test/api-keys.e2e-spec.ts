import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { API_KEY_SCOPES } from '../src/common/auth/api-key-scopes';
import { bearer, type TestApp } from './support/app';
import { createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const KEYS = '/api/v1/api-keys';
const USER = 7301;
const OTHER_USER = 7302;
const BOT_TOKEN = '9997720007:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsak7';
interface Operation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  scope: string | undefined;
}

/** Every operation of the served OpenAPI document, with its declared scope and a concrete URL. */
async function operations(t: TestApp): Promise<Operation[]> {
  const doc = (await t.inject('/openapi.json')).json() as {
    paths: Record<string, Record<string, { security?: unknown[]; 'x-required-scope'?: string }>>;
  };
  const found: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op.security?.length) continue; // public routes take no credential at all
      found.push({
        method: method.toUpperCase() as Operation['method'],
        path: template.replace(/\{[^}]+\}/g, randomUUID()),
        scope: op['x-required-scope'],
      });
    }
  }
  return found;
}

describe('API keys: scoped keys for server-side callers', () => {
  let world: TelegramWorld;
  let t: TestApp;
  let replica: TestApp;
  const seen: string[] = [];

  const withJwt = async (method: Operation['method'], url: string, payload?: unknown, userId = USER) => {
    const res = await t.inject({
      method,
      url,
      headers: bearer(t.token(userId)),
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    seen.push(res.body);
    return res;
  };
  const withKey = async (
    app: TestApp,
    key: string,
    method: Operation['method'],
    url: string,
    payload?: unknown,
    header: 'x-api-key' | 'authorization' = 'x-api-key',
  ): Promise<LightMyRequestResponse> => {
    const res = await app.inject({
      method,
      url,
      headers: header === 'x-api-key' ? { 'x-api-key': key } : bearer(key),
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    seen.push(res.body);
    return res;
  };
  const createKey = async (body: Record<string, unknown>, userId = USER) => {
    const res = await withJwt('POST', KEYS, body, userId);
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; key: string; scopes: string[] };
  };

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
    replica = await world.start();
  });
  afterAll(() => world.cleanup());

  it('makes a key shown once: stored as a hash, never listed, logged or written in plaintext', async () => {
    const res = await withJwt('POST', KEYS, {
      name: 'CMS scheduler',
      scopes: ['messages:send', 'channels:read'],
    });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ name: 'CMS scheduler', scopes: ['messages:send', 'channels:read'] });
    expect(created.key).toMatch(/^isk_[A-Za-z0-9_-]{43}$/);
    expect(created.key_prefix).toBe(created.key.slice(0, 10));
    expect(created.expires_at).toBeNull();

    const listed = await withJwt('GET', KEYS);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().map((k: { id: string }) => k.id)).toContain(created.id);
    expect(listed.body).not.toContain(created.key);

    expect((await withKey(t, created.key, 'GET', '/api/v1/telegram/channels')).statusCode).toBe(200);
    const rows = await world.db.query(`SELECT to_jsonb(k)::text AS row FROM api_keys k`);
    const everything =
      JSON.stringify(rows) + JSON.stringify(await world.db.query('SELECT * FROM integration_logs'));
    const events = JSON.stringify(await world.db.query('SELECT * FROM integration_events'));
    expect(everything).not.toContain(created.key);
    expect(everything).not.toContain(created.key.slice(4));
    expect(events).not.toContain(created.key);
    expect(t.rawLogs()).not.toContain(created.key.slice(4));
    expect(replica.rawLogs()).not.toContain(created.key.slice(4));
    const audit = await world.db.query(`SELECT action, details FROM integration_logs WHERE user_id = $1`, [
      USER,
    ]);
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'api_key_create',
        details: expect.objectContaining({ api_key_id: created.id }),
      }),
    );
  });

  it('refuses bad keys requests with 400 naming the field', async () => {
    const bad = await withJwt('POST', KEYS, { name: 'x', scopes: ['everything'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('scopes');
    expect((await withJwt('POST', KEYS, { name: 'x', scopes: [] })).statusCode).toBe(400);
    const past = await withJwt('POST', KEYS, {
      name: 'x',
      scopes: ['bots:read'],
      expires_at: '2020-01-01T00:00:00Z',
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().code).toBe('expires_at_past');
    const foreign = await withJwt('POST', KEYS, {
      name: 'x',
      scopes: ['bots:read'],
      bot_ids: [randomUUID()],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().code).toBe('bot_unknown');
  });

  it('every route × a key with and without its scope: allowed, or 403 naming the scope', async () => {
    const ops = await operations(t);
    expect(ops.length).toBeGreaterThan(20);
    const everything = await createKey({ name: 'all', scopes: [...API_KEY_SCOPES] });
    const nothingUseful = await createKey({ name: 'webhooks only', scopes: ['webhooks:write'] });
    for (const op of ops) {
      const allowed = await withKey(
        t,
        everything.key,
        op.method,
        op.path,
        op.method === 'GET' ? undefined : {},
      );
      const refused = await withKey(
        t,
        nothingUseful.key,
        op.method,
        op.path,
        op.method === 'GET' ? undefined : {},
      );
      const label = `${op.method} ${op.path} (${op.scope ?? 'no scope'})`;
      if (op.scope === undefined) {
        // Routes without a scope take only the user's own token (the keys routes: keys cannot make keys).
        expect([label, allowed.statusCode, allowed.json().code]).toEqual([label, 403, 'api_key_not_allowed']);
        continue;
      }
      expect([label, [401, 403].includes(allowed.statusCode)]).toEqual([label, false]);
      expect([label, refused.statusCode, refused.json().code, refused.json().required_scope]).toEqual([
        label,
        403,
        'api_key_scope_missing',
        op.scope,
      ]);
      // With only its own scope, the route lets the key through too.
      const only = await createKey({ name: `only ${op.scope}`, scopes: [op.scope] });
      const single = await withKey(t, only.key, op.method, op.path, op.method === 'GET' ? undefined : {});
      expect([label, [401, 403].includes(single.statusCode)]).toEqual([label, false]);
      await withJwt('DELETE', `${KEYS}/${only.id}`);
    }
    const keysOps = ops.filter((op) => op.path.startsWith(KEYS));
    expect(keysOps.map((op) => op.scope)).toEqual(keysOps.map(() => undefined));
  });

  it('a key acts as its user, also as a bearer token, and records when it was last used', async () => {
    const key = await createKey({ name: 'reader', scopes: ['bots:read', 'accounts:read'] });
    const asBearer = await withKey(t, key.key, 'GET', '/api/v1/telegram/bots', undefined, 'authorization');
    expect(asBearer.statusCode).toBe(200);
    const [row] = await world.db.query<{ last_used_at: Date | null }>(
      'SELECT last_used_at FROM api_keys WHERE id = $1',
      [key.id],
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [after] = await world.db.query<{ last_used_at: Date | null }>(
      'SELECT last_used_at FROM api_keys WHERE id = $1',
      [key.id],
    );
    expect(row.last_used_at ?? after.last_used_at).not.toBeNull();
    // Another user's key does not see this user's keys, nor can anyone use a key on the keys routes.
    const other = await createKey({ name: 'other', scopes: ['bots:read'] }, OTHER_USER);
    expect((await withJwt('DELETE', `${KEYS}/${key.id}`, undefined, OTHER_USER)).statusCode).toBe(404);
    const made = await withKey(t, other.key, 'POST', KEYS, { name: 'child', scopes: ['bots:read'] });
    expect(made.statusCode).toBe(403);
  });

  it('a key limited to an account and a bot sees and acts on those only', async () => {
    const mine = await loginByCode(t, USER, '+9996620731');
    const theirs = await loginByCode(t, USER, '+9996620732');
    const bot = await withJwt('POST', '/api/v1/telegram/bots', { bot_token: BOT_TOKEN });
    expect(bot.statusCode).toBe(201);
    const key = await createKey({
      name: 'one account',
      scopes: ['accounts:read', 'accounts:write', 'bots:read', 'messages:send'],
      account_ids: [mine],
      bot_ids: [],
    });
    const accounts = await withKey(t, key.key, 'GET', '/api/v1/telegram/accounts');
    expect(accounts.json().map((a: { id: string }) => a.id)).toEqual([mine]);
    expect((await withKey(t, key.key, 'GET', '/api/v1/telegram/bots')).json()).toEqual([]);
    expect((await withKey(t, key.key, 'GET', `/api/v1/telegram/accounts/${mine}`)).statusCode).toBe(200);
    const refused = await withKey(t, key.key, 'GET', `/api/v1/telegram/accounts/${theirs}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('api_key_resource_forbidden');
    const send = await withKey(t, key.key, 'POST', '/api/v1/telegram/send', {
      session_id: theirs,
      chat: '@durov',
      text: 'hello',
    });
    expect(send.statusCode).toBe(403);
    const asBot = await withKey(t, key.key, 'POST', '/api/v1/telegram/send', {
      bot_id: bot.json().id,
      chat: '@durov',
      text: 'hello',
    });
    expect(asBot.statusCode).toBe(403);
  });

  it('expired and revoked keys are 401 on both replicas', async () => {
    const key = await createKey({ name: 'short-lived', scopes: ['bots:read'] });
    for (const app of [t, replica])
      expect((await withKey(app, key.key, 'GET', '/api/v1/telegram/bots')).statusCode).toBe(200);
    const revoked = await withJwt('DELETE', `${KEYS}/${key.id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().id).toBe(key.id);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const app of [t, replica]) {
      const res = await withKey(app, key.key, 'GET', '/api/v1/telegram/bots');
      expect(res.statusCode).toBe(401);
      expect(res.body).not.toContain(key.key);
    }
    expect((await withJwt('GET', KEYS)).json().map((k: { id: string }) => k.id)).not.toContain(key.id);

    const expiring = await createKey({
      name: 'expiring',
      scopes: ['bots:read'],
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    expect((await withKey(replica, expiring.key, 'GET', '/api/v1/telegram/bots')).statusCode).toBe(200);
    await world.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expiring.id,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const app of [t, replica])
      expect((await withKey(app, expiring.key, 'GET', '/api/v1/telegram/bots')).statusCode).toBe(401);
    expect((await withKey(t, 'isk_' + 'A'.repeat(43), 'GET', '/api/v1/telegram/bots')).statusCode).toBe(401);
    expect((await withKey(t, 'isk_short', 'GET', '/api/v1/telegram/bots')).statusCode).toBe(401);
  });

  it('never echoes a key after the answer that made it', () => {
    const keys = seen.join('\n').match(/isk_[A-Za-z0-9_-]{43}/g) ?? [];
    // Only creation answers carry keys: each key appears in exactly one response body.
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    const repeated = [...counts].filter(([key, n]) => n > 1 && key !== 'isk_' + 'A'.repeat(43));
    expect(repeated).toEqual([]);
  });
});

describe('API keys: rate limits per key as well as per user', () => {
  let world: TelegramWorld;
  let t: TestApp;

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_API_KEY_LIMIT: '3',
      RATE_LIMIT_API_LIMIT: '10',
    });
  });
  afterAll(() => world.cleanup());

  it('a key runs out after its own limit; another key of the user still works until the user limit', async () => {
    const make = async (name: string) => {
      const res = await t.inject({
        method: 'POST',
        url: KEYS,
        headers: bearer(t.token(USER)),
        payload: { name, scopes: ['bots:read'] },
      });
      return res.json().key as string;
    };
    const first = await make('first');
    const second = await make('second');
    const get = (key: string) =>
      t.inject({ method: 'GET', url: '/api/v1/telegram/bots', headers: { 'x-api-key': key } });
    const firstCodes = [];
    for (let i = 0; i < 4; i += 1) firstCodes.push((await get(first)).statusCode);
    expect(firstCodes).toEqual([200, 200, 200, 429]);
    const secondCodes = [];
    for (let i = 0; i < 4; i += 1) secondCodes.push((await get(second)).statusCode);
    // The second key has a bucket of its own: three more, then its own limit.
    expect(secondCodes).toEqual([200, 200, 200, 429]);
    expect((await get(second)).headers['retry-after']).toBeDefined();
    // Every request above also counted in the user's bucket (10): the user's own token is out too.
    const jwtAfter = await t.inject({
      method: 'GET',
      url: '/api/v1/telegram/bots',
      headers: bearer(t.token(USER)),
    });
    expect(jwtAfter.statusCode).toBe(429);
  });
});
