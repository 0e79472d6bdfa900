import type { AddressInfo } from 'node:net';
import { AuditLogService } from '../src/logs/audit-log.service';
import { bearer, openTestApp, startTestApp, type OpenedTestApp, type TestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { rawExchange } from './support/raw-http';
import { TcpProxy } from './support/tcp-proxy';
import { call, createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const ACCOUNTS = '/api/v1/telegram/accounts';
const CONNECT = '/api/v1/telegram/connect';

/** Regression tests for issue "Hardening", one describe per item, each failing on the code before it. */

describe('hardening #1: the log redactor never corrupts ids (audit rows and log lines)', () => {
  let t: OpenedTestApp;
  beforeAll(async () => (t = await openTestApp()));
  afterAll(() => t.close());

  it('stores a session id with ten or more digits in a row as it is, and masks only the phone field', async () => {
    const sessionId = '12345678-1234-4123-8123-123456789012';
    await t.app.get(AuditLogService).record({
      userId: 901,
      action: 'sign_in',
      status: 'success',
      details: { session_id: sessionId, phone: '+9996621234', note: `session ${sessionId}` },
    });
    const [row] = await t.db.query<{ details: Record<string, unknown> }>(
      'SELECT details FROM integration_logs WHERE user_id = 901',
    );
    expect(row.details).toEqual({
      session_id: sessionId,
      phone: '+999*****34',
      note: `session ${sessionId}`,
    });
  });

  it('keeps a digit-heavy request id intact in the response header and the log line', async () => {
    const requestId = 'req-20261201-1234567890123';
    const res = await t.inject({
      url: ACCOUNTS,
      headers: { ...bearer(t.token(901)), 'x-request-id': requestId },
    });
    expect(res.headers['x-request-id']).toBe(requestId);
    const line = t.logs().find((l) => l.path === ACCOUNTS && l.request_id === requestId);
    expect(line).toMatchObject({ status_code: 200, request_id: requestId });
  });
});

describe('hardening #3: deeply nested or huge JSON is a 400 before validation', () => {
  let t: OpenedTestApp;
  beforeAll(async () => (t = await openTestApp()));
  afterAll(() => t.close());

  const post = (payload: string) =>
    t.inject({
      method: 'POST',
      url: CONNECT,
      headers: { ...bearer(t.token(903)), 'content-type': 'application/json' },
      payload,
    });

  it('a ~12 KB body nesting objects 2,500 deep → 400 body_too_complex, not 500', async () => {
    const deep = `${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}`;
    const res = await post(deep);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status_code: 400, code: 'body_too_complex' });
    expect(res.json().message).toMatch(/nested deeper than 32/);
  });

  it('an array 100,000 deep and a body with too many members are refused the same way', async () => {
    expect((await post('['.repeat(100_000) + ']'.repeat(100_000))).json().code).toBe('body_too_complex');
    const wide = JSON.stringify({ phone: '+9996621234', extra: Array.from({ length: 20_000 }, (_, i) => i) });
    const res = await post(wide);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/more than 10000 members/);
  });

  it('brackets inside strings do not count, and an ordinary body still reaches validation', async () => {
    const res = await post(JSON.stringify({ phone: '{'.repeat(100), code: '[[[' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });
});

describe('hardening #4: a well-formed cursor holding an impossible date → 400 invalid_cursor', () => {
  let t: OpenedTestApp;
  beforeAll(async () => (t = await openTestApp()));
  afterAll(() => t.close());

  it.each(['2026-02-30T10:00:00.123456Z', '2026-11-31T23:59:59.000000Z', '2026-11-25T25:00:00.000000Z'])(
    '%s',
    async (timestamp) => {
      const cursor = Buffer.from(
        JSON.stringify({ t: timestamp, i: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21' }),
      ).toString('base64url');
      const res = await t.inject({
        url: `/api/v1/telegram/logs?cursor=${cursor}`,
        headers: bearer(t.token(904)),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid_cursor', errors: [{ field: 'cursor' }] });
    },
  );
});

describe('hardening #5: request bodies are bounded in time and read only after authentication', () => {
  let t: OpenedTestApp;
  let port: number;
  beforeAll(async () => {
    t = await openTestApp({ HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_BODY_LIMIT_BYTES: '2048' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  const head = (headers: string[]) =>
    `POST ${CONNECT} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${headers.join('\r\n')}\r\n\r\n`;

  it('a partial body without a token gets 401 at once and the socket is closed', async () => {
    const res = await rawExchange(port, [head(['Content-Length: 1000']), '{"phone":"+99966'], 5000);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'unauthorized', request_id: expect.any(String) });
    expect(res.closedByServer).toBe(true);
    expect(res.elapsedMs).toBeLessThan(3000); // the 401 at once; the socket after the drain's 2 s pause bound
  });

  it('a chunked body with a bad token is refused the same way', async () => {
    const res = await rawExchange(
      port,
      [head(['Transfer-Encoding: chunked', 'Authorization: Bearer nope']), '5\r\n{"pho'],
      5000,
    );
    expect(res.status).toBe(401);
    expect(res.closedByServer).toBe(true);
  });

  it('an authenticated client that never finishes its body gets 408 within the request timeout', async () => {
    const res = await rawExchange(
      port,
      [head(['Content-Length: 1000', `Authorization: Bearer ${t.token(905)}`]), '{"phone":"+99966'],
      8000,
    );
    expect(res.closedByServer).toBe(true);
    expect(res.status).toBe(408);
    expect(res.body).toMatchObject({ status_code: 408, code: 'request_timeout' });
    expect(res.elapsedMs).toBeLessThan(4000);
  });

  it('a body over HTTP_BODY_LIMIT_BYTES → 413 in the error shape', async () => {
    const res = await t.inject({
      method: 'POST',
      url: CONNECT,
      headers: { ...bearer(t.token(905)), 'content-type': 'application/json' },
      payload: JSON.stringify({ phone: 'x'.repeat(4096) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ status_code: 413, request_id: expect.any(String) });
  });
});

describe('hardening #6: one API bucket per user (per IP before auth), probes never limited', () => {
  let t: OpenedTestApp;
  beforeAll(async () => (t = await openTestApp({ RATE_LIMIT_API_LIMIT: '3', RATE_LIMIT_HEALTH_LIMIT: '2' })));
  afterAll(() => t.close());

  it('requests without a token or with a bad one are limited per IP: 401, 401, 401, then 429', async () => {
    const statuses: number[] = [];
    for (const authorization of [undefined, 'Bearer bad', 'Basic x', 'Bearer worse']) {
      const res = await t.inject({
        url: ACCOUNTS,
        remoteAddress: '203.0.113.66',
        headers: authorization ? { authorization } : {},
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Another IP has its own bucket.
    expect((await t.inject({ url: ACCOUNTS, remoteAddress: '203.0.113.67' })).statusCode).toBe(401);
  });

  it('a user gets the limit once for the whole API, not once per route', async () => {
    const headers = bearer(t.token(906));
    const statuses = [
      (await t.inject({ url: ACCOUNTS, headers })).statusCode,
      (await t.inject({ url: '/api/v1/telegram/logs', headers })).statusCode,
      (await t.inject({ url: '/api/v1/telegram/stats/errors', headers })).statusCode,
      (await t.inject({ url: '/api/v1/telegram/logs', headers })).statusCode,
    ];
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('liveness, readiness and /metrics are never limited; /health keeps its per-IP limit', async () => {
    for (let i = 0; i < 10; i++) {
      for (const url of ['/api/v1/health/liveness', '/api/v1/health/readiness', '/metrics']) {
        expect((await t.inject({ url, remoteAddress: '198.51.100.9' })).statusCode).toBe(200);
      }
    }
    const health = [];
    for (let i = 0; i < 3; i++)
      health.push((await t.inject({ url: '/health', remoteAddress: '198.51.100.9' })).statusCode);
    expect(health).toEqual([200, 200, 429]);
  });
});

describe('hardening #9: error lines and shapes', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    t = await startTestApp(proxy.wrap(db.url), { DATABASE_CONNECT_TIMEOUT_MS: '300' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t.close();
    await proxy.stop();
    await db.drop();
  });

  it('the `code` of a warning line is the error code, not [REDACTED]', async () => {
    const res = await t.inject({
      url: `${ACCOUNTS}/3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21`,
      headers: bearer(t.token(909)),
    });
    expect(res.statusCode).toBe(404);
    const line = t.logs().find((l) => l.request_id === res.headers['x-request-id']);
    expect(line).toMatchObject({ level: 'warn', status_code: 404, code: 'not_found' });
  });

  it('a malformed URL → 400 bad_url in the error shape with a request id', async () => {
    const res = await t.inject({ url: `${ACCOUNTS}/%E0%A4%A` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      status_code: 400,
      error: 'Bad Request',
      code: 'bad_url',
      message: expect.any(String),
      request_id: res.headers['x-request-id'],
    });
  });

  it('an over-long path parameter → 414 uri_too_long (not "Bad Request")', async () => {
    const res = await t.inject({ url: `${ACCOUNTS}/${'a'.repeat(300)}/reconnect`, method: 'POST' });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toMatchObject({ status_code: 414, error: 'URI Too Long', code: 'uri_too_long' });
    expect(res.json().request_id).toBe(res.headers['x-request-id']);
  });

  it('headers too large → 431 in the error shape, over a real socket', async () => {
    const res = await rawExchange(
      port,
      [`GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
      5000,
    );
    expect(res.status).toBe(431);
    expect(res.body).toMatchObject({
      status_code: 431,
      code: 'request_header_fields_too_large',
      request_id: expect.any(String),
    });
    expect(res.response).toMatch(/X-Request-Id: [0-9a-f-]{36}/);
  });

  it('a 503 writes exactly one log line (the completion line, naming the dependency) and counts it', async () => {
    proxy.goDown();
    try {
      const res = await t.inject({ url: ACCOUNTS, headers: bearer(t.token(909)) });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      const lines = t.logs().filter((l) => l.request_id === res.headers['x-request-id']);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'warn',
          status_code: 503,
          code: 'dependency_unavailable',
          dependency: 'database',
        }),
      ]);
      const metrics = (await t.inject('/metrics')).body;
      expect(metrics).toMatch(/dependency_unavailable_responses_total\{dependency="database"\} 1/);
    } finally {
      proxy.comeBack();
    }
  });
});

describe('hardening #9: the emulator revoke route reaches only the caller’s own accounts', () => {
  let world: TelegramWorld;
  let t: Awaited<ReturnType<TelegramWorld['start']>>;
  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  it('another user cannot revoke a phone’s sessions; the owner can, and only theirs', async () => {
    const phone = '+9996611490';
    const mine = await loginByCode(t, 910, phone);
    const theirs = await loginByCode(t, 911, phone);
    const revoke = (userId: number) =>
      call(t, userId, 'POST', '/api/v1/dev/telegram-emulator/revoke', { phone });

    const stranger = await revoke(912);
    expect(stranger.statusCode).toBe(404);
    expect((await call(t, 910, 'POST', `${ACCOUNTS}/${mine}/reconnect`)).json().session_metadata.status).toBe(
      'connected',
    );

    const own = await revoke(910);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toEqual({ revoked: 1 });
    expect((await call(t, 910, 'POST', `${ACCOUNTS}/${mine}/reconnect`)).json().session_metadata.status).toBe(
      'revoked',
    );
    // User 911's session with the same emulated Telegram user is untouched.
    expect(
      (await call(t, 911, 'POST', `${ACCOUNTS}/${theirs}/reconnect`)).json().session_metadata.status,
    ).toBe('connected');
  });
});
