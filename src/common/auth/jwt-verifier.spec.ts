import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthorizedError } from '../errors/app-error';
import { JwtVerifier } from './jwt-verifier';

const secret = 'unit-test-secret-unit-test-secret-0123';
const limits = { maxLifetimeSeconds: 86400, clockSkewSeconds: 60 };
/** A token that passes the lifetime rules, with the given claims. */
const signed = (claims: Record<string, unknown>) => jwt.sign(claims, secret, { expiresIn: 600 });

describe('JwtVerifier', () => {
  const verifier = new JwtVerifier({ secret, generated: false, ...limits });

  it('signs and verifies its own tokens', async () => {
    await expect(verifier.verify(verifier.sign(42, 60))).resolves.toBe(42);
  });

  it('reads user_id, else sub, or the configured claim', async () => {
    await expect(verifier.verify(signed({ sub: '9' }))).resolves.toBe(9);
    await expect(verifier.verify(signed({ user_id: 3, sub: '9' }))).resolves.toBe(3);
    const custom = new JwtVerifier({ secret, generated: false, userClaim: 'uid', ...limits });
    await expect(custom.verify(signed({ uid: 77 }))).resolves.toBe(77);
    await expect(custom.verify(signed({ user_id: 77 }))).rejects.toThrow(
      'Token claim "uid" must be a positive integer user id',
    );
  });

  it.each([[0], [-1], [2 ** 31], ['12abc'], [1.5], [null], [true]])('refuses user id %p', async (value) => {
    await expect(verifier.verify(signed({ user_id: value }))).rejects.toThrow(UnauthorizedError);
  });

  it('issue 26: refuses a user id given as a string in user_id or a configured claim (sub is a string)', async () => {
    await expect(verifier.verify(signed({ user_id: '42' }))).rejects.toThrow(
      'Token claim "user_id" must be a positive integer user id (a JSON number, not a string)',
    );
    const custom = new JwtVerifier({ secret, generated: false, userClaim: 'uid', ...limits });
    await expect(custom.verify(signed({ uid: '77' }))).rejects.toThrow(UnauthorizedError);
    await expect(verifier.verify(signed({ sub: '42' }))).resolves.toBe(42);
  });

  it('cannot sign without a shared secret', () => {
    expect(() =>
      new JwtVerifier({ publicKey: ecPublicPem(), generated: false, ...limits }).sign(1, 60),
    ).toThrow(/JWT_SECRET/);
  });
});

describe('hardening #8: JWT lifetime rules', () => {
  const verifier = new JwtVerifier({ secret, generated: false, ...limits });
  const now = Math.floor(Date.now() / 1000);

  it('refuses a token without exp (it would never expire)', async () => {
    await expect(verifier.verify(jwt.sign({ user_id: 1 }, secret))).rejects.toThrow(
      'Token has no expiry (exp)',
    );
  });

  it('refuses iat ten years ahead, and nbf ahead beyond the skew', async () => {
    const tenYears = now + 10 * 365 * 86400;
    await expect(
      verifier.verify(jwt.sign({ user_id: 1, iat: tenYears, exp: tenYears + 60 }, secret)),
    ).rejects.toThrow('Token is issued in the future (iat)');
    await expect(
      verifier.verify(jwt.sign({ user_id: 1, nbf: now + 3600, exp: now + 7200 }, secret)),
    ).rejects.toThrow('Token is not valid yet');
  });

  it('accepts iat, nbf and exp within the clock skew', async () => {
    await expect(
      verifier.verify(jwt.sign({ user_id: 5, iat: now + 30, nbf: now + 30, exp: now + 600 }, secret)),
    ).resolves.toBe(5);
    await expect(
      verifier.verify(jwt.sign({ user_id: 5, iat: now - 600, exp: now - 30 }, secret)),
    ).resolves.toBe(5);
    await expect(
      verifier.verify(jwt.sign({ user_id: 5, iat: now - 600, exp: now - 90 }, secret)),
    ).rejects.toThrow('Token has expired');
  });

  it('issue 26: the clock tolerance is what JWT_CLOCK_SKEW_SECONDS says (a token 30 s expired is refused at 5 s)', async () => {
    const strict = new JwtVerifier({
      secret,
      generated: false,
      maxLifetimeSeconds: 86400,
      clockSkewSeconds: 5,
    });
    const expired30 = jwt.sign({ user_id: 5, iat: now - 600, exp: now - 30 }, secret);
    await expect(strict.verify(expired30)).rejects.toThrow('Token has expired');
    await expect(verifier.verify(expired30)).resolves.toBe(5);
    await expect(strict.verify(jwt.sign({ user_id: 5, iat: now - 600, exp: now - 2 }, secret))).resolves.toBe(
      5,
    );
    const none = new JwtVerifier({
      secret,
      generated: false,
      maxLifetimeSeconds: 86400,
      clockSkewSeconds: 0,
    });
    await expect(none.verify(jwt.sign({ user_id: 5, iat: now - 600, exp: now - 2 }, secret))).rejects.toThrow(
      'Token has expired',
    );
  });

  it('refuses a lifetime above JWT_MAX_LIFETIME_SECONDS, with or without iat', async () => {
    await expect(
      verifier.verify(jwt.sign({ user_id: 1 }, secret, { expiresIn: 86400 + 60 })),
    ).rejects.toThrow('Token lifetime exceeds the accepted maximum of 86400 seconds');
    await expect(
      verifier.verify(jwt.sign({ user_id: 1, exp: now + 2 * 86400 }, secret, { noTimestamp: true })),
    ).rejects.toThrow('Token lifetime exceeds');
    await expect(verifier.verify(jwt.sign({ user_id: 1 }, secret, { expiresIn: 86400 }))).resolves.toBe(1);
  });

  it('signs at most the maximum lifetime, by default exactly that', async () => {
    expect(() => verifier.sign(1, 86401)).toThrow(/JWT_MAX_LIFETIME_SECONDS/);
    const claims = jwt.decode(verifier.sign(1)) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(86400);
  });
});

function ecPublicPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
}
