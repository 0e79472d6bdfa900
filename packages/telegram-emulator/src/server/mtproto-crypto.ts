import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * The server's half of MTProto 2.0 cryptography (https://core.telegram.org/mtproto/description), written
 * from the spec with node:crypto only — not shared with GramJS, so the specs check GramJS against it.
 */

export const sha1 = (...parts: Buffer[]): Buffer => createHash('sha1').update(Buffer.concat(parts)).digest();
export const sha256 = (...parts: Buffer[]): Buffer =>
  createHash('sha256').update(Buffer.concat(parts)).digest();

const xor16 = (a: Buffer, b: Buffer): Buffer => {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = a[i] ^ b[i];
  return out;
};

/** AES-256-IGE (iv = 32 bytes: the first "previous cipher block", then the first "previous plain block"). */
export function igeEncrypt(plain: Buffer, key: Buffer, iv: Buffer): Buffer {
  if (plain.length % 16 !== 0) throw new RangeError('IGE input must be a multiple of 16 bytes');
  const aes = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const out = Buffer.alloc(plain.length);
  let prevCipher = iv.subarray(0, 16);
  let prevPlain = iv.subarray(16, 32);
  for (let offset = 0; offset < plain.length; offset += 16) {
    const block = plain.subarray(offset, offset + 16);
    const encrypted = xor16(aes.update(xor16(block, prevCipher)), prevPlain);
    encrypted.copy(out, offset);
    prevCipher = encrypted;
    prevPlain = block;
  }
  return out;
}

export function igeDecrypt(cipher: Buffer, key: Buffer, iv: Buffer): Buffer {
  if (cipher.length % 16 !== 0) throw new RangeError('IGE input must be a multiple of 16 bytes');
  const aes = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const out = Buffer.alloc(cipher.length);
  let prevCipher = iv.subarray(0, 16);
  let prevPlain = iv.subarray(16, 32);
  for (let offset = 0; offset < cipher.length; offset += 16) {
    const block = cipher.subarray(offset, offset + 16);
    const decrypted = xor16(aes.update(xor16(block, prevPlain)), prevCipher);
    decrypted.copy(out, offset);
    prevCipher = block;
    prevPlain = decrypted;
  }
  return out;
}

/** auth_key_id: the 64 lower-order bits of SHA1(auth_key) (bytes 12..20 of the digest). */
export const authKeyIdBytes = (authKey: Buffer): Buffer => sha1(authKey).subarray(12, 20);

/** MTProto 2.0 aes_key/aes_iv from auth_key and msg_key; x = 0 client→server, 8 server→client. */
export function deriveAesKeyIv(authKey: Buffer, msgKey: Buffer, x: 0 | 8): { key: Buffer; iv: Buffer } {
  const a = sha256(msgKey, authKey.subarray(x, x + 36));
  const b = sha256(authKey.subarray(40 + x, 40 + x + 36), msgKey);
  return {
    key: Buffer.concat([a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32)]),
    iv: Buffer.concat([b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32)]),
  };
}

/** msg_key = middle 128 bits of SHA256(substr(auth_key, 88 + x, 32) + plaintext + padding). */
export const msgKeyOf = (authKey: Buffer, plaintext: Buffer, x: 0 | 8): Buffer =>
  sha256(authKey.subarray(88 + x, 88 + x + 32), plaintext).subarray(8, 24);

/** An encrypted packet: auth_key_id | msg_key | AES-IGE(plaintext + 12..1024 bytes of padding). */
export function encryptServerMessage(authKey: Buffer, plaintext: Buffer): Buffer {
  const paddingLength = 12 + ((16 - ((plaintext.length + 12) % 16)) % 16);
  const padded = Buffer.concat([plaintext, randomBytes(paddingLength)]);
  const msgKey = msgKeyOf(authKey, padded, 8);
  const { key, iv } = deriveAesKeyIv(authKey, msgKey, 8);
  return Buffer.concat([authKeyIdBytes(authKey), msgKey, igeEncrypt(padded, key, iv)]);
}

/** Thrown for a packet that fails MTProto 2.0's checks: it is dropped, never answered. */
export class MessageIntegrityError extends Error {}

/**
 * Decrypts a client packet (auth_key_id already matched) and checks msg_key, the length field and the
 * padding bounds. Returns the plaintext: salt | session_id | msg_id | seq_no | length | body.
 */
export function decryptClientMessage(authKey: Buffer, packet: Buffer): Buffer {
  if (packet.length < 24 + 32 || (packet.length - 24) % 16 !== 0) {
    throw new MessageIntegrityError('packet length is not a multiple of 16 after its header');
  }
  const msgKey = packet.subarray(8, 24);
  const { key, iv } = deriveAesKeyIv(authKey, msgKey, 0);
  const plain = igeDecrypt(packet.subarray(24), key, iv);
  if (!msgKeyOf(authKey, plain, 0).equals(msgKey)) throw new MessageIntegrityError('msg_key mismatch');
  const bodyLength = plain.readInt32LE(28);
  const padding = plain.length - 32 - bodyLength;
  if (bodyLength < 0 || bodyLength % 4 !== 0 || padding < 12 || padding > 1024) {
    throw new MessageIntegrityError('bad message length or padding');
  }
  return plain;
}

/** tmp_aes_key / tmp_aes_iv of the auth-key exchange, from new_nonce and server_nonce (wire byte order). */
export function tmpAesKeyIv(newNonce: Buffer, serverNonce: Buffer): { key: Buffer; iv: Buffer } {
  const ns = sha1(newNonce, serverNonce);
  const sn = sha1(serverNonce, newNonce);
  const nn = sha1(newNonce, newNonce);
  return {
    key: Buffer.concat([ns, sn.subarray(0, 12)]),
    iv: Buffer.concat([sn.subarray(12, 20), nn, newNonce.subarray(0, 4)]),
  };
}

/** new_nonce_hashN: the 128 lower-order bits of SHA1(new_nonce + N + auth_key_aux_hash). */
export function newNonceHash(newNonce: Buffer, n: 1 | 2 | 3, authKey: Buffer): Buffer {
  return sha1(newNonce, Buffer.from([n]), sha1(authKey).subarray(0, 8)).subarray(4, 20);
}
