import jwt from 'jsonwebtoken';
import { bearer, TEST_JWT_SECRET } from './support/app';
import { openProxiedTestApp, type ProxiedTestApp } from './support/proxied-app';

const ACCOUNTS = '/api/v1/telegram/accounts';
const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>) =>
  jwt.sign({ ...claims }, TEST_JWT_SECRET, { algorithm: 'HS256' });

/** What the unauthenticated health routes say, and the token rules (issue 26, item 7). */
describe('readiness body, string user ids, clock tolerance', () => {
  let t: ProxiedTestApp;

  beforeAll(async () => {
    t = await openProxiedTestApp({ RATE_LIMIT_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('a user_id claim given as a string is refused (401); sub as a string still works', async () => {
    const asString = await t.inject({
      url: ACCOUNTS,
      headers: bearer(sign({ user_id: '7', exp: now() + 60 })),
    });
    expect(asString.statusCode).toBe(401);
    expect(asString.json()).toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/JSON number/),
    });
    const asNumber = await t.inject({
      url: ACCOUNTS,
      headers: bearer(sign({ user_id: 7, exp: now() + 60 })),
    });
    expect(asNumber.statusCode).toBe(200);
    const sub = await t.inject({ url: ACCOUNTS, headers: bearer(sign({ sub: '7', exp: now() + 60 })) });
    expect(sub.statusCode).toBe(200);
  });

  it('a token expired 30 s ago is refused with the default clock tolerance (5 s); 2 s ago is tolerated', async () => {
    expect(t.config.jwt.clockSkewSeconds).toBe(5);
    const expired = await t.inject({
      url: ACCOUNTS,
      headers: bearer(sign({ user_id: 7, iat: now() - 600, exp: now() - 30 })),
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ message: 'Token has expired' });
    const withinTolerance = await t.inject({
      url: ACCOUNTS,
      headers: bearer(sign({ user_id: 7, iat: now() - 600, exp: now() - 2 })),
    });
    expect(withinTolerance.statusCode).toBe(200);
  });

  it('readiness and the detailed report never name the database address when it refuses connections', async () => {
    // The proxy closes its port: the pool's new connections get ECONNREFUSED 127.0.0.1:<port>.
    await t.proxy.stop();
    let body = '';
    let status = 0;
    for (let i = 0; i < 20 && status !== 503; i++) {
      const res = await t.inject('/api/v1/health/readiness');
      status = res.statusCode;
      body = res.body;
      if (status !== 503) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(503);
    expect(body).toMatch(/"database"/);
    const detailed = await t.inject('/api/v1/health/detailed');
    for (const text of [body, detailed.body]) {
      expect(text).not.toContain('127.0.0.1');
      expect(text).not.toContain(String(t.proxy.port));
    }
  });
});
