import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/app';

const ACCOUNTS = '/api/v1/telegram/accounts';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('JWT authentication on /api/v1/telegram/**', () => {
  let db: TestDatabase;
  let t: TestApp;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url, {
      RATE_LIMIT_ENABLED: 'false',
      JWT_ISSUER: 'content-factory',
      JWT_AUDIENCE: 'integration',
    });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  /** A token valid for 10 minutes unless the claims or options say otherwise. */
  const sign = (claims: Record<string, unknown>, options: jwt.SignOptions = {}) =>
    jwt.sign({ iss: 'content-factory', aud: 'integration', ...claims }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      ...(claims.exp === undefined && options.expiresIn === undefined ? { expiresIn: 600 } : {}),
      ...options,
    });

  const call = (authorization?: string) =>
    t.inject({ url: ACCOUNTS, headers: authorization ? { authorization } : {} });

  it('accepts a valid token naming the user in user_id', async () => {
    const res = await call(`Bearer ${sign({ user_id: 7 }, { expiresIn: 60 })}`);
    expect(res.statusCode).toBe(200);
  });

  it('falls back to sub when user_id is absent', async () => {
    expect((await call(`Bearer ${sign({ sub: '8' }, { expiresIn: 60 })}`)).statusCode).toBe(200);
  });

  const rejected: [string, () => string | undefined, RegExp][] = [
    ['missing header', () => undefined, /Missing bearer token/],
    ['not a bearer scheme', () => `Basic ${Buffer.from('a:b').toString('base64')}`, /Bearer/],
    ['malformed token', () => 'Bearer not.a.jwt', /malformed/],
    [
      'alg none',
      () =>
        `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ user_id: 1, iss: 'content-factory', aud: 'integration' })}.`,
      /algorithm|malformed/,
    ],
    [
      'wrong signature',
      () =>
        `Bearer ${jwt.sign({ user_id: 1, iss: 'content-factory', aud: 'integration' }, 'another-secret-another-secret-another-secret')}`,
      /signature/,
    ],
    ['expired', () => `Bearer ${sign({ user_id: 1, exp: now() - 60 })}`, /expired/],
    [
      'not yet valid',
      () => `Bearer ${sign({ user_id: 1, nbf: now() + 3600, exp: now() + 7200 })}`,
      /not valid yet/,
    ],
    // hardening #8: a token without exp never expired; iat ten years ahead was accepted.
    [
      'hardening #8: no exp',
      () => `Bearer ${jwt.sign({ user_id: 1, iss: 'content-factory', aud: 'integration' }, TEST_JWT_SECRET)}`,
      /no expiry/,
    ],
    [
      'hardening #8: iat ten years ahead',
      () => `Bearer ${sign({ user_id: 1, iat: now() + 315_360_000, exp: now() + 315_360_600 })}`,
      /issued in the future/,
    ],
    [
      'hardening #8: lifetime above JWT_MAX_LIFETIME_SECONDS',
      () => `Bearer ${sign({ user_id: 1 }, { expiresIn: 2 * 86400 })}`,
      /lifetime exceeds/,
    ],
    ['wrong issuer', () => `Bearer ${sign({ user_id: 1, iss: 'someone-else' })}`, /issuer/],
    ['wrong audience', () => `Bearer ${sign({ user_id: 1, aud: 'another-service' })}`, /audience/],
    ['missing user claim', () => `Bearer ${sign({ role: 'admin' })}`, /positive integer/],
    ['non-integer user id', () => `Bearer ${sign({ user_id: 'abc' })}`, /positive integer/],
    ['zero user id', () => `Bearer ${sign({ user_id: 0 })}`, /positive integer/],
    ['negative user id', () => `Bearer ${sign({ user_id: -4 })}`, /positive integer/],
    ['fractional user id', () => `Bearer ${sign({ user_id: 1.5 })}`, /positive integer/],
    [
      'HS256 token signed with an RS256 key',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return `Bearer ${jwt.sign({ user_id: 1, iss: 'content-factory', aud: 'integration' }, privateKey, { algorithm: 'RS256' })}`;
      },
      /algorithm|signature/,
    ],
  ];

  it.each(rejected)('%s → 401 JSON', async (_name, header, reason) => {
    const res = await call(header());
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = res.json();
    expect(body).toMatchObject({ status_code: 401, code: 'unauthorized' });
    expect(body.message).toMatch(reason);
    expect(JSON.stringify(body)).not.toContain('eyJ');
  });

  it('health routes need no token', async () => {
    expect((await t.inject('/health')).statusCode).toBe(200);
  });
});

describe('JWT with a public key (RS256 / ES256) and a custom user claim', () => {
  let db: TestDatabase;
  let t: TestApp;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  afterEach(async () => {
    await t.close();
    await db.drop();
  });

  it('verifies RS256 with JWT_PUBLIC_KEY and reads JWT_USER_CLAIM', async () => {
    db = await createTestDatabase();
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    t = await startTestApp(db.url, {
      JWT_SECRET: '',
      JWT_PUBLIC_KEY: pem.replace(/\n/g, '\\n'),
      JWT_USER_CLAIM: 'uid',
      RATE_LIMIT_ENABLED: 'false',
    });
    const good = jwt.sign({ uid: 12 }, rsa.privateKey, { algorithm: 'RS256', expiresIn: 60 });
    expect((await t.inject({ url: ACCOUNTS, headers: { authorization: `Bearer ${good}` } })).statusCode).toBe(
      200,
    );
    const wrongClaim = jwt.sign({ user_id: 12 }, rsa.privateKey, { algorithm: 'RS256', expiresIn: 60 });
    expect(
      (await t.inject({ url: ACCOUNTS, headers: { authorization: `Bearer ${wrongClaim}` } })).statusCode,
    ).toBe(401);
    // A token "signed" with the public key as an HMAC secret (algorithm confusion) is refused.
    const confused = jwt.sign({ uid: 12 }, pem, { algorithm: 'HS256' } as jwt.SignOptions);
    expect(
      (await t.inject({ url: ACCOUNTS, headers: { authorization: `Bearer ${confused}` } })).statusCode,
    ).toBe(401);
  });

  it('verifies ES256 with JWT_PUBLIC_KEY', async () => {
    db = await createTestDatabase();
    const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    t = await startTestApp(db.url, { JWT_SECRET: '', JWT_PUBLIC_KEY: pem, RATE_LIMIT_ENABLED: 'false' });
    const good = jwt.sign({ sub: '3' }, ec.privateKey, { algorithm: 'ES256', expiresIn: 60 });
    expect((await t.inject({ url: ACCOUNTS, headers: { authorization: `Bearer ${good}` } })).statusCode).toBe(
      200,
    );
  });
});

describe('JWT verified against the identity provider JWKS (JWT_JWKS_URL)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let jwksServer: import('node:http').Server;
  let up = true;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  beforeAll(async () => {
    const { createServer } = await import('node:http');
    jwksServer = createServer((_req, res) => {
      if (!up) return void res.writeHead(503).end();
      const key = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'idp-1', use: 'sig', alg: 'RS256' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const port = (jwksServer.address() as { port: number }).port;
    db = await createTestDatabase();
    up = false;
    t = await startTestApp(db.url, {
      JWT_SECRET: '',
      JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      RATE_LIMIT_ENABLED: 'false',
    });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
    jwksServer.close();
  });

  const call = (token: string) => t.inject({ url: ACCOUNTS, headers: { authorization: `Bearer ${token}` } });

  it('provider down before any key is known → 503, then tokens signed with its key are accepted', async () => {
    const token = jwt.sign({ user_id: 5 }, rsa.privateKey, {
      algorithm: 'RS256',
      keyid: 'idp-1',
      expiresIn: 60,
    });
    const unavailable = await call(token);
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.json()).toMatchObject({ code: 'dependency_unavailable', dependency: 'jwks' });
    up = true;
    expect((await call(token)).statusCode).toBe(200);
  });

  it('unknown kid, HS256 and a foreign key → 401', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(
      (await call(jwt.sign({ user_id: 5 }, rsa.privateKey, { algorithm: 'RS256', keyid: 'nope' })))
        .statusCode,
    ).toBe(401);
    expect(
      (await call(jwt.sign({ user_id: 5 }, 'x'.repeat(40), { algorithm: 'HS256', keyid: 'idp-1' })))
        .statusCode,
    ).toBe(401);
    expect(
      (await call(jwt.sign({ user_id: 5 }, other.privateKey, { algorithm: 'RS256', keyid: 'idp-1' })))
        .statusCode,
    ).toBe(401);
  });
});
