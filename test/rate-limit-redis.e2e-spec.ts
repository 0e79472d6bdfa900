import { randomBytes } from 'node:crypto';
import { bearer, openTestApp, startTestApp, type OpenedTestApp, type TestApp } from './support/app';
import { TcpProxy } from './support/tcp-proxy';

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const ACCOUNTS = '/api/v1/telegram/accounts';

/** With REDIS_URL, replicas share their rate-limit counters (the machine's real Redis). */
describe('rate limits shared through Redis', () => {
  let a: OpenedTestApp;
  let b: TestApp;
  const prefix = `test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_API_LIMIT: '3' };
    a = await openTestApp(env);
    b = await startTestApp(a.db.url, env);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('two replicas enforce one limit per user, not one each', async () => {
    const headers = bearer(a.token(21));
    const statuses = [
      (await a.inject({ url: ACCOUNTS, headers })).statusCode,
      (await b.inject({ url: ACCOUNTS, headers })).statusCode,
      (await a.inject({ url: ACCOUNTS, headers })).statusCode,
      (await b.inject({ url: ACCOUNTS, headers })).statusCode,
    ];
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await a.inject({ url: ACCOUNTS, headers });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await b.inject({ url: ACCOUNTS, headers: bearer(a.token(22)) })).statusCode).toBe(200);
  });

  it('failed authentication is counted per IP across replicas too', async () => {
    const from = { remoteAddress: '203.0.113.90' };
    const statuses = [a, b, a, b].map((app) => app.inject({ url: ACCOUNTS, ...from }));
    expect((await Promise.all(statuses)).map((r) => r.statusCode).sort()).toEqual([401, 401, 401, 429]);
  });
});

describe('rate limits when Redis is away', () => {
  let proxy: TcpProxy;
  let t: OpenedTestApp;

  beforeAll(async () => {
    const target = new URL(REDIS_URL);
    proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    t = await openTestApp({
      REDIS_URL: proxy.wrap(REDIS_URL),
      REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
      RATE_LIMIT_API_LIMIT: '2',
      RATE_LIMIT_REDIS_TIMEOUT_MS: '200',
    });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
  });

  it('lets requests through uncounted (fail open), fast, with a metric and one log line; limits come back with Redis', async () => {
    const headers = bearer(t.token(31));
    expect((await t.inject({ url: ACCOUNTS, headers })).statusCode).toBe(200);
    proxy.goDown();
    const started = Date.now();
    const during: number[] = [];
    for (let i = 0; i < 6; i++) during.push((await t.inject({ url: ACCOUNTS, headers })).statusCode);
    expect(during).toEqual([200, 200, 200, 200, 200, 200]);
    expect(Date.now() - started).toBeLessThan(6 * 400);
    const metrics = (await t.inject('/metrics')).body;
    expect(metrics).toMatch(/rate_limit_storage_failures_total\{reason="(unavailable|timeout)"\} [1-9]/);
    const warnings = t.logs().filter((l) => l.logger === 'RateLimitStorage');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn' });

    proxy.comeBack();
    let limited = false;
    for (let i = 0; i < 40 && !limited; i++) {
      limited = (await t.inject({ url: ACCOUNTS, headers })).statusCode === 429;
      if (!limited) await new Promise((r) => setTimeout(r, 100));
    }
    expect(limited).toBe(true);
  });
});
