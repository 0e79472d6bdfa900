import { createHash } from 'node:crypto';
import { EmulatorRsaKey } from './rsa-key';

describe('the emulator RSA key', () => {
  it('has a fingerprint of 16 hex digits (mtcute looks keys up without leading zeros)', () => {
    // Without the redraw 1 key in 16 would fail: of 32 keys, one or more would in 7 runs of 8.
    for (let i = 0; i < 32; i++) {
      const key = new EmulatorRsaKey();
      expect(BigInt.asUintN(64, key.fingerprint).toString(16)).toHaveLength(16);
      expect(key.n).toHaveLength(256);
      expect(key.e).toBe(65537);
    }
  });

  it('the fingerprint is the lower 64 bits of SHA1 over n and e as TL bytes, as clients compute it', () => {
    const key = new EmulatorRsaKey();
    // TL bytes: n (256 bytes) gets the long-length header 254 0 1 0; e (3 bytes) a one-byte header.
    const data = Buffer.concat([Buffer.from([254, 0, 1, 0]), key.n, Buffer.from([3, 1, 0, 1])]);
    const sha = createHash('sha1').update(data).digest();
    expect(key.fingerprint).toBe(sha.subarray(12, 20).readBigInt64LE(0));
  });
});
