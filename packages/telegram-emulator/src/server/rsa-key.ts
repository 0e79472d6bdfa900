import { constants, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { igeDecrypt, sha1, sha256 } from './mtproto-crypto';

/** TL `bytes` serialization (length prefix, padding to 4), as the RSA fingerprint is defined over it. */
export function tlBytes(data: Buffer): Buffer {
  const header =
    data.length < 254
      ? Buffer.from([data.length])
      : Buffer.from([254, data.length & 0xff, (data.length >> 8) & 0xff, (data.length >> 16) & 0xff]);
  const padding = (4 - ((header.length + data.length) % 4)) % 4;
  return Buffer.concat([header, data, Buffer.alloc(padding)]);
}

/** The emulator's RSA-2048 server key, generated at start: GramJS trusts it only through the emulator's client factory. */
export class EmulatorRsaKey {
  /** Modulus, big-endian, 256 bytes. */
  readonly n: Buffer;
  readonly e: number;
  /** The 64 lower-order bits of SHA1(n as TL bytes + e as TL bytes), as a signed long (what resPQ lists). */
  readonly fingerprint: bigint;
  private readonly privateKey: KeyObject;

  constructor() {
    // mtcute 0.30 indexes the keys it trusts by the fingerprint as 16 hex digits but looks up resPQ's by
    // Long.toString(16), without leading zeros: a key whose fingerprint starts with a zero nibble (1 in 16)
    // is never found and its connect retries for ever. Telegram's own keys never start so; neither do ours.
    for (;;) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicExponent: 65537,
      });
      const jwk = publicKey.export({ format: 'jwk' });
      if (!jwk.n || !jwk.e) throw new Error('RSA key without modulus');
      const n = Buffer.from(jwk.n, 'base64url');
      const eBytes = Buffer.from(jwk.e, 'base64url');
      const fingerprint = sha1(tlBytes(n), tlBytes(eBytes)).subarray(12, 20);
      if (fingerprint[7] >> 4 === 0) continue;
      this.privateKey = privateKey;
      this.n = n;
      this.e = eBytes.readUIntBE(0, eBytes.length);
      this.fingerprint = fingerprint.readBigInt64LE(0);
      return;
    }
  }

  /**
   * Undoes RSA_PAD (https://core.telegram.org/mtproto/auth_key, step 4.1): returns data_with_padding
   * (192 bytes: the inner data, then random padding), or undefined when the hash does not match.
   */
  decryptPad(encrypted: Buffer): Buffer | undefined {
    const keyAesEncrypted = this.decryptRaw(encrypted);
    if (!keyAesEncrypted) return undefined;
    const aesEncrypted = keyAesEncrypted.subarray(32);
    const tempKey = Buffer.alloc(32);
    const digest = sha256(aesEncrypted);
    for (let i = 0; i < 32; i++) tempKey[i] = keyAesEncrypted[i] ^ digest[i];
    const dataWithHash = igeDecrypt(aesEncrypted, tempKey, Buffer.alloc(32));
    const dataWithPadding = Buffer.from(dataWithHash.subarray(0, 192)).reverse();
    if (!sha256(tempKey, dataWithPadding).equals(dataWithHash.subarray(192, 224))) return undefined;
    return dataWithPadding;
  }

  /**
   * Undoes the pre-2021 encryption of p_q_inner_data that Telethon 1.x still uses and Telegram still accepts:
   * RSA(sha1(data) + data + random padding) over 255 bytes. `length` tells where `data` ends (its TL
   * serialization); returns `data` when the hash matches.
   */
  decryptLegacy(encrypted: Buffer, length: (dataWithPadding: Buffer) => number): Buffer | undefined {
    const plain = this.decryptRaw(encrypted);
    if (!plain || plain[0] !== 0) return undefined;
    const rest = plain.subarray(21);
    let end: number;
    try {
      end = length(rest);
    } catch {
      return undefined;
    }
    const data = rest.subarray(0, end);
    return end > 0 && end <= rest.length && sha1(data).equals(plain.subarray(1, 21)) ? data : undefined;
  }

  /** Raw RSA decryption, left-padded to 256 bytes. */
  private decryptRaw(encrypted: Buffer): Buffer | undefined {
    if (encrypted.length > 256) return undefined;
    const padded = Buffer.alloc(256);
    encrypted.copy(padded, 256 - encrypted.length);
    if (Buffer.compare(padded, this.n) >= 0) return undefined;
    const plain = privateDecrypt({ key: this.privateKey, padding: constants.RSA_NO_PADDING }, padded);
    const full = Buffer.alloc(256);
    plain.copy(full, 256 - plain.length);
    return full;
  }
}
