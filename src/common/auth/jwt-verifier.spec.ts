import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthorizedError } from '../errors/app-error';
import { JwtVerifier } from './jwt-verifier';

const secret = 'unit-test-secret-unit-test-secret-0123';

describe('JwtVerifier', () => {
  const verifier = new JwtVerifier({ secret, generated: false });

  it('signs and verifies its own tokens', async () => {
    await expect(verifier.verify(verifier.sign(42, 60))).resolves.toBe(42);
  });

  it('reads user_id, else sub, or the configured claim', async () => {
    await expect(verifier.verify(jwt.sign({ sub: '9' }, secret))).resolves.toBe(9);
    await expect(verifier.verify(jwt.sign({ user_id: 3, sub: '9' }, secret))).resolves.toBe(3);
    const custom = new JwtVerifier({ secret, generated: false, userClaim: 'uid' });
    await expect(custom.verify(jwt.sign({ uid: '77' }, secret))).resolves.toBe(77);
    await expect(custom.verify(jwt.sign({ user_id: 77 }, secret))).rejects.toThrow(
      'Token claim "uid" must be a positive integer user id',
    );
  });

  it.each([[0], [-1], [2 ** 31], ['12abc'], [1.5], [null], [true]])('refuses user id %p', async (value) => {
    await expect(verifier.verify(jwt.sign({ user_id: value }, secret))).rejects.toThrow(UnauthorizedError);
  });

  it('cannot sign without a shared secret', () => {
    expect(() => new JwtVerifier({ publicKey: ecPublicPem(), generated: false }).sign(1, 60)).toThrow(
      /JWT_SECRET/,
    );
  });
});

function ecPublicPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
}
