import { Script } from 'node:vm';
import { loadConfig } from '../src/config/app-config';
import { bearer, openTestApp, type OpenedTestApp } from './support/app';
import { call, createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const ACCOUNTS = '/api/v1/telegram/accounts';
const FRONTEND = 'https://app.content-factory.example';

describe('CORS for the browser frontend (CORS_ORIGINS)', () => {
  let t: OpenedTestApp;
  beforeAll(async () => (t = await openTestApp({ CORS_ORIGINS: `${FRONTEND},http://localhost:5173` })));
  afterAll(() => t.close());

  it('an allowed origin gets its CORS headers, with Retry-After and X-Request-Id exposed', async () => {
    const res = await t.inject({ url: ACCOUNTS, headers: { ...bearer(t.token(1)), origin: FRONTEND } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
    const exposed = String(res.headers['access-control-expose-headers']).toLowerCase();
    expect(exposed).toContain('retry-after');
    expect(exposed).toContain('x-request-id');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('error responses carry the headers too (the frontend can read the 401 body)', async () => {
    const res = await t.inject({ url: ACCOUNTS, headers: { origin: FRONTEND } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
  });

  it('a refused origin gets no CORS headers', async () => {
    const res = await t.inject({
      url: ACCOUNTS,
      headers: { ...bearer(t.token(1)), origin: 'https://evil.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a preflight is answered 204 before authentication, with the methods and headers allowed', async () => {
    const res = await t.inject({
      method: 'OPTIONS',
      url: `${ACCOUNTS}/3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21`,
      headers: {
        origin: FRONTEND,
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
    expect(String(res.headers['access-control-allow-methods'])).toContain('DELETE');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    expect(res.headers['access-control-max-age']).toBe('600');
  });

  it('no CORS_ORIGINS: no CORS headers at all', async () => {
    const plain = await openTestApp();
    try {
      const res = await plain.inject({
        url: ACCOUNTS,
        headers: { ...bearer(plain.token(1)), origin: FRONTEND },
      });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('"*" is refused in production, and an origin with a path is refused anywhere', () => {
    const base = { JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgresql://u:p@127.0.0.1/db_test' };
    expect(() =>
      loadConfig({ ...base, NODE_ENV: 'production', ALLOW_DEVELOPMENT_DEFAULTS: 'true', CORS_ORIGINS: '*' }),
    ).toThrow(/CORS_ORIGINS: "\*" \(any origin\) is refused with NODE_ENV=production/);
    expect(() => loadConfig({ ...base, CORS_ORIGINS: 'https://app.example/path' })).toThrow(
      /is not an origin/,
    );
    expect(loadConfig({ ...base, CORS_ORIGINS: '*' }).http.corsOrigins).toEqual(['*']);
  });
});

describe('bodyless routes accept Content-Type: application/json with an empty body', () => {
  let world: TelegramWorld;
  let t: Awaited<ReturnType<TelegramWorld['start']>>;
  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  const empty = (userId: number, method: 'GET' | 'POST' | 'DELETE', url: string) =>
    t.inject({
      method,
      url,
      headers: { ...bearer(t.token(userId)), 'content-type': 'application/json' },
      payload: '',
    });

  it('POST /accounts/{id}/reconnect and DELETE /accounts/{id}', async () => {
    const id = await loginByCode(t, 951, '+9996611951');
    const reconnect = await empty(951, 'POST', `${ACCOUNTS}/${id}/reconnect`);
    expect(reconnect.statusCode).toBe(200);
    expect(reconnect.json().session_metadata.status).toBe('connected');
    const disconnect = await empty(951, 'DELETE', `${ACCOUNTS}/${id}`);
    expect(disconnect.statusCode).toBeLessThan(300);
    expect((await call(t, 951, 'GET', `${ACCOUNTS}/${id}`)).json().is_active).toBe(false);
  });

  it('GET routes (accounts, logs, stats, QR) with the header and no body', async () => {
    for (const url of [
      ACCOUNTS,
      '/api/v1/telegram/logs',
      '/api/v1/telegram/stats/errors',
      '/api/v1/telegram/qr-code',
    ]) {
      expect((await empty(952, 'GET', url)).statusCode).toBe(200);
    }
  });

  it('a route that needs a body still says which fields are missing', async () => {
    const res = await empty(953, 'POST', '/api/v1/telegram/connect');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });
});

describe('the OpenAPI document describes every answer', () => {
  let t: OpenedTestApp;
  beforeAll(async () => (t = await openTestApp({ TELEGRAM_EMULATOR: 'true' })));
  afterAll(() => t.close());

  type Operation = { responses: Record<string, { description?: string }>; security?: unknown[] };
  const operations = async () => {
    const doc = (await t.inject('/openapi.json')).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    return Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
    );
  };

  it('every operation lists the 4xx it can answer, and every response has a description', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(10);
    for (const { name, op } of ops) {
      const codes = Object.keys(op.responses);
      const missing = codes.filter((code) => !op.responses[code].description);
      expect({ name, missing }).toEqual({ name, missing: [] });
      if (name.includes('/api/v1/telegram/') || name.includes('/api/v1/dev/')) {
        // Public development routes (the console's GET /api/v1/dev/token) take no token: no 401.
        const expected = op.security ? ['400', '401', '429'] : ['429'];
        expect({ name, codes }).toEqual({ name, codes: expect.arrayContaining(expected) });
      }
    }
  });

  it('every error response shows an example of its own status, with a code (Swagger UI)', async () => {
    type Media = { schema?: { $ref?: string }; example?: { status_code?: number; code?: string } };
    const doc = (await t.inject('/openapi.json')).json() as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, Media> }> }>
      >;
    };
    const wrong: string[] = [];
    const codes = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const media = response.content?.['application/json'];
          if (!media?.schema?.$ref?.endsWith('/ErrorResponseDto')) continue;
          if (media.example?.status_code !== Number(status) || !media.example.code) {
            wrong.push(`${method} ${path} ${status}`);
          }
          codes.add(`${status} ${media.example?.code}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect([...codes]).toEqual(
      expect.arrayContaining(['401 unauthorized', '409 bot_inactive', '503 dependency_unavailable']),
    );
  });

  it('the connect example shows one step at a time, the phone alone first', async () => {
    type Body = {
      content: Record<string, { examples?: Record<string, { value: Record<string, unknown> }> }>;
    };
    const doc = (await t.inject('/openapi.json')).json() as {
      paths: Record<string, Record<string, { requestBody: Body }>>;
    };
    const examples =
      doc.paths['/api/v1/telegram/connect']?.post?.requestBody.content['application/json']?.examples;
    const values = Object.values(examples ?? {}).map((example) => example.value);
    expect(values[0]).toEqual({ phone: '+9996621234' });
    for (const value of values) {
      expect(['code', 'password', 'resend'].filter((key) => key in value).length).toBeLessThanOrEqual(1);
    }
  });

  it('/health and the detailed report document their 429; the probes, never limited, do not', async () => {
    const ops = Object.fromEntries(
      (await operations()).map(({ name, op }) => [name, Object.keys(op.responses)]),
    );
    expect(ops['GET /health']).toContain('429');
    expect(ops['GET /api/v1/health/detailed']).toContain('429');
    expect(ops['GET /api/v1/health/liveness']).not.toContain('429');
    expect(ops['GET /api/v1/health/readiness']).not.toContain('429');
  });

  it('Swagger UI at /docs: its init script (the document embedded in JavaScript) parses', async () => {
    // @nestjs/swagger puts the document into the script with String.replace: a "$`", "$'", "$&" or
    // "$$" in any description would be expanded there and break the page (it did, for the bot token).
    const doc = (await t.inject('/openapi.json')).body;
    expect(doc.match(/\$[`'&$]/g) ?? []).toEqual([]);
    const init = await t.inject('/docs/swagger-ui-init.js');
    expect(init.statusCode).toBe(200);
    expect(() => new Script(init.body)).not.toThrow();
    expect(init.body).toContain('"AddBotDto"');
  });
});
