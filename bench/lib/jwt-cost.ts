import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface JwtVerifyCost {
  /** µs per verify when the secret is passed as a string (what @nestjs/jwt does with a string secret). */
  stringMicros: number;
  /** µs per verify with a KeyObject made once. */
  keyObjectMicros: number;
}

/**
 * Times jsonwebtoken.verify of `token` in this process both ways. jsonwebtoken 9 first tries
 * `createPublicKey()` on a string secret — on every call — and only falls back to a secret key when
 * that throws; a KeyObject skips the attempt.
 */
export function jwtVerifyCost(token: string, secret: string, iterations = 300): JwtVerifyCost {
  const time = (key: string | ReturnType<typeof createSecretKey>) => {
    for (let i = 0; i < 20; i += 1) jwt.verify(token, key, { algorithms: ['HS256'] });
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i += 1) jwt.verify(token, key, { algorithms: ['HS256'] });
    return Number(process.hrtime.bigint() - started) / 1000 / iterations;
  };
  return { stringMicros: time(secret), keyObjectMicros: time(createSecretKey(Buffer.from(secret))) };
}
