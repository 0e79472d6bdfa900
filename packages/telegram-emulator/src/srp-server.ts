import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Telegram's server side of SRP-2048 for 2FA (https://core.telegram.org/api/srp), written from the spec
 * with native BigInt and node:crypto only — deliberately not sharing code with GramJS's Password.js, so
 * GramJS's `computeCheck` is verified rather than mirrored. Every group element is hashed padded to 256 bytes.
 */

/** The fixed 2048-bit safe prime Telegram uses for `passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow`. */
export const SRP_PRIME_HEX =
  'c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f' +
  '48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37' +
  '20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64' +
  '2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4' +
  'a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754' +
  'fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4' +
  'e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f' +
  '0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b';
export const SRP_P = BigInt(`0x${SRP_PRIME_HEX}`);
export const SRP_G = 3;
export const SRP_SIZE = 256;

export interface SrpPasswordParams {
  readonly salt1: Buffer;
  readonly salt2: Buffer;
  /** Verifier v = g^x mod p. */
  readonly verifier: bigint;
}

export interface SrpChallenge {
  /** Server secret b. */
  readonly b: bigint;
  /** Public B = (k·v + g^b) mod p, padded to 256 bytes. */
  readonly B: Buffer;
}

const sha256 = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();

export function bufferToBigInt(buf: Buffer): bigint {
  return buf.length === 0 ? 0n : BigInt(`0x${buf.toString('hex')}`);
}

/** Big-endian, left-padded to `size` bytes; throws if it does not fit. */
export function bigIntToBuffer(value: bigint, size = SRP_SIZE): Buffer {
  if (value < 0n) throw new RangeError('negative value');
  const hex = value.toString(16);
  if (hex.length > size * 2) throw new RangeError(`value does not fit in ${size} bytes`);
  return Buffer.from(hex.padStart(size * 2, '0'), 'hex');
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const mod = (value: bigint, modulus: bigint): bigint => ((value % modulus) + modulus) % modulus;

const pad = (value: Buffer): Buffer => {
  if (value.length > SRP_SIZE) throw new RangeError('value longer than 256 bytes');
  return Buffer.concat([Buffer.alloc(SRP_SIZE - value.length), value]);
};

/** x = PH2(password, salt1, salt2) = SH(pbkdf2(sha512, PH1, salt1, 100000), salt2), SH(d, s) = H(s|d|s). */
export function passwordHash(password: string | Buffer, salt1: Buffer, salt2: Buffer): Buffer {
  const pwd = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  const sh = (data: Buffer, salt: Buffer): Buffer => sha256(salt, data, salt);
  const ph1 = sh(sh(pwd, salt1), salt2);
  return sh(pbkdf2Sync(ph1, salt1, 100_000, 64, 'sha512'), salt2);
}

/** v = g^x mod p. */
export function computeVerifier(password: string | Buffer, salt1: Buffer, salt2: Buffer): bigint {
  return modPow(BigInt(SRP_G), bufferToBigInt(passwordHash(password, salt1, salt2)), SRP_P);
}

/** k = H(p | g), both padded to 256 bytes. */
export function srpK(): bigint {
  return bufferToBigInt(sha256(bigIntToBuffer(SRP_P), bigIntToBuffer(BigInt(SRP_G))));
}

/** u = H(A | B), both padded to 256 bytes. */
export function srpU(A: Buffer, B: Buffer): bigint {
  return bufferToBigInt(sha256(pad(A), pad(B)));
}

/** M1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | A | B | H(S)). */
export function computeM1(params: { salt1: Buffer; salt2: Buffer; A: Buffer; B: Buffer; S: bigint }): Buffer {
  const hp = sha256(bigIntToBuffer(SRP_P));
  const hg = sha256(bigIntToBuffer(BigInt(SRP_G)));
  const pxg = Buffer.alloc(hp.length);
  for (let i = 0; i < hp.length; i++) pxg[i] = hp[i] ^ hg[i];
  const K = sha256(bigIntToBuffer(params.S));
  return sha256(pxg, sha256(params.salt1), sha256(params.salt2), pad(params.A), pad(params.B), K);
}

/** A fresh server challenge for one GetPassword answer. `secret` lets tests fix b. */
export function createChallenge(verifier: bigint, secret?: bigint): SrpChallenge {
  const k = srpK();
  for (;;) {
    const b = secret ?? mod(bufferToBigInt(randomBytes(SRP_SIZE)), SRP_P);
    const gb = modPow(BigInt(SRP_G), b, SRP_P);
    const B = mod(k * verifier + gb, SRP_P);
    // Clients reject B (and g^b) too close to 0 or p; redraw in that (astronomically rare) case.
    const ok = B > 0n && gb.toString(2).length > 2048 - 64 && (SRP_P - gb).toString(2).length > 2048 - 64;
    if (ok || secret !== undefined) return { b, B: bigIntToBuffer(B) };
  }
}

/**
 * Checks a client's proof: S = (A · v^u)^b mod p, M1' = H(...), constant-time compare with M1.
 * Returns false for malformed input (A outside (1, p-1), wrong lengths).
 */
export function verifyProof(params: {
  password: SrpPasswordParams;
  challenge: SrpChallenge;
  A: Buffer;
  M1: Buffer;
}): boolean {
  const { password, challenge, A, M1 } = params;
  if (A.length === 0 || A.length > SRP_SIZE || M1.length !== 32) return false;
  const a = bufferToBigInt(A);
  if (a <= 1n || a >= SRP_P - 1n) return false;
  const u = srpU(A, challenge.B);
  if (u === 0n) return false;
  const S = modPow(mod(a * modPow(password.verifier, u, SRP_P), SRP_P), challenge.b, SRP_P);
  const expected = computeM1({ salt1: password.salt1, salt2: password.salt2, A, B: challenge.B, S });
  return timingSafeEqual(expected, M1);
}
