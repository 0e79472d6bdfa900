import { bearer, openTestApp, type OpenedTestApp } from './support/app';

describe('rate limits', () => {
  let t: OpenedTestApp;

  beforeAll(async () => {
    t = await openTestApp({
      RATE_LIMIT_API_LIMIT: '3',
      RATE_LIMIT_API_WINDOW_SECONDS: '60',
      RATE_LIMIT_HEALTH_LIMIT: '5',
    });
  });
  afterAll(() => t.close());

  it('API limit is per user: the 4th call of user 1 → 429 with Retry-After, user 2 unaffected', async () => {
    const call = (user: number) =>
      t.inject({ url: '/api/v1/telegram/accounts', headers: bearer(t.token(user)) });
    for (let i = 0; i < 3; i++) expect((await call(1)).statusCode).toBe(200);
    const limited = await call(1);
    expect(limited.statusCode).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json()).toMatchObject({ status_code: 429, code: 'rate_limited', retry_after: retryAfter });
    expect((await call(2)).statusCode).toBe(200);
  });

  it('health routes have their own per-IP limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await t.inject({ url: '/health', remoteAddress: '10.9.9.9' })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const other = await t.inject({ url: '/health', remoteAddress: '10.9.9.10' });
    expect(other.statusCode).toBe(200);
    const limited = await t.inject({ url: '/health', remoteAddress: '10.9.9.9' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('RATE_LIMIT_ENABLED=false turns limiting off', async () => {
    const off = await openTestApp({ RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_API_LIMIT: '1' });
    try {
      for (let i = 0; i < 5; i++) {
        expect(
          (await off.inject({ url: '/api/v1/telegram/accounts', headers: bearer(off.token(1)) })).statusCode,
        ).toBe(200);
      }
    } finally {
      await off.close();
    }
  });
});

describe('rate limits behind a trusted proxy', () => {
  it('keys health limits on X-Forwarded-For only when TRUST_PROXY trusts the proxy', async () => {
    const trusted = await openTestApp({ RATE_LIMIT_HEALTH_LIMIT: '1', TRUST_PROXY: '127.0.0.1' });
    try {
      const via = (client: string) =>
        trusted.inject({
          url: '/health',
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': client },
        });
      expect((await via('203.0.113.1')).statusCode).toBe(200);
      expect((await via('203.0.113.1')).statusCode).toBe(429);
      expect((await via('203.0.113.2')).statusCode).toBe(200);
      // An untrusted peer cannot pick its own identity with the header.
      const direct = (client: string) =>
        trusted.inject({
          url: '/health',
          remoteAddress: '198.51.100.7',
          headers: { 'x-forwarded-for': client },
        });
      expect((await direct('203.0.113.50')).statusCode).toBe(200);
      expect((await direct('203.0.113.51')).statusCode).toBe(429);
    } finally {
      await trusted.close();
    }
  });
});
