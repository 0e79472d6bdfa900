import { createDiffieHellman, randomBytes, randomInt, type DiffieHellman } from 'node:crypto';
import { Api } from 'telegram';
import { readBigIntFromBuffer, toSignedLittleBuffer } from 'telegram/Helpers';
import { BinaryReader } from 'telegram/extensions';
import { SRP_PRIME_HEX } from '../srp-server';
import { igeDecrypt, igeEncrypt, newNonceHash, sha1, tmpAesKeyIv } from './mtproto-crypto';
import type { EmulatorRsaKey } from './rsa-key';

/** The server side of the auth-key exchange (https://core.telegram.org/mtproto/auth_key), one per connection. */

const DH_PRIME = Buffer.from(SRP_PRIME_HEX, 'hex');
const DH_G = 3;
const TWO_POW_1984 = 1n << 1984n;

export class HandshakeError extends Error {}

type Step =
  | { readonly at: 'start' }
  | {
      readonly at: 'pq';
      readonly nonce: Buffer;
      readonly serverNonce: Buffer;
      readonly p: bigint;
      readonly q: bigint;
    }
  | {
      readonly at: 'dh';
      readonly nonce: Buffer;
      readonly serverNonce: Buffer;
      readonly newNonce: Buffer;
      readonly dh: DiffieHellman;
      readonly tmp: { key: Buffer; iv: Buffer };
    };

const int128 = (value: unknown): Buffer => toSignedLittleBuffer(value as never, 16);
const int256 = (value: unknown): Buffer => toSignedLittleBuffer(value as never, 32);
const asInt = (bytes: Buffer): Api.int128 => readBigIntFromBuffer(bytes, true, true);
const beBytes = (value: bigint): Buffer => {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
};
const beInt = (bytes: Buffer): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`));

function randomPrime(): bigint {
  for (;;) {
    const candidate = randomInt(2 ** 30, 2 ** 31 - 1) | 1;
    let prime = true;
    for (let d = 3; d * d <= candidate; d += 2) {
      if (candidate % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) return BigInt(candidate);
  }
}

export class AuthKeyExchange {
  private step: Step = { at: 'start' };

  constructor(
    private readonly rsa: EmulatorRsaKey,
    private readonly nowSeconds: () => number,
  ) {}

  /** Forgets an exchange that failed. */
  reset(): void {
    this.step = { at: 'start' };
  }

  /** Answers one unencrypted request; `done` carries the new auth key after set_client_DH_params. */
  answer(request: unknown): {
    reply: Api.TypeResPQ | Api.TypeServer_DH_Params | Api.TypeSet_client_DH_params_answer;
    authKey?: Buffer;
  } {
    if (request instanceof Api.ReqPqMulti || request instanceof Api.ReqPq)
      return { reply: this.resPq(request.nonce) };
    if (request instanceof Api.ReqDHParams) return { reply: this.dhParams(request) };
    if (request instanceof Api.SetClientDHParams) return this.clientDhParams(request);
    throw new HandshakeError('not an auth-key exchange request');
  }

  private resPq(nonceValue: Api.int128): Api.ResPQ {
    const nonce = int128(nonceValue);
    const serverNonce = randomBytes(16);
    let p = randomPrime();
    let q = randomPrime();
    if (p === q) return this.resPq(nonceValue);
    if (p > q) [p, q] = [q, p];
    this.step = { at: 'pq', nonce, serverNonce, p, q };
    return new Api.ResPQ({
      nonce: nonceValue,
      serverNonce: asInt(serverNonce),
      pq: beBytes(p * q),
      serverPublicKeyFingerprints: [readBigIntFromBuffer(toLong(this.rsa.fingerprint), true, true)],
    });
  }

  private dhParams(request: Api.ReqDHParams): Api.ServerDHParamsOk {
    const step = this.step;
    if (step.at !== 'pq') throw new HandshakeError('req_DH_params before req_pq_multi');
    this.checkNonces(step, request.nonce, request.serverNonce);
    if (beInt(request.p) !== step.p || beInt(request.q) !== step.q) throw new HandshakeError('wrong p or q');
    if (BigInt(request.publicKeyFingerprint.toString()) !== this.rsa.fingerprint) {
      throw new HandshakeError('unknown RSA key fingerprint');
    }
    // RSA_PAD (auth_key §4.1), or the older sha1(data) + data + padding that Telethon 1.x still sends.
    const data =
      this.rsa.decryptPad(request.encryptedData) ??
      this.rsa.decryptLegacy(request.encryptedData, (bytes) => {
        const reader = new BinaryReader(bytes);
        reader.tgReadObject();
        return reader.tellPosition();
      });
    if (!data) throw new HandshakeError('encrypted_data is neither RSA_PAD nor the legacy RSA encryption');
    const inner: unknown = new BinaryReader(data).tgReadObject();
    if (!(
      inner instanceof Api.PQInnerData ||
      inner instanceof Api.PQInnerDataDc ||
      inner instanceof Api.PQInnerDataTemp ||
      inner instanceof Api.PQInnerDataTempDc
    )) {
      throw new HandshakeError('encrypted_data is not p_q_inner_data');
    }
    this.checkNonces(step, inner.nonce, inner.serverNonce);
    if (beInt(inner.pq) !== step.p * step.q) throw new HandshakeError('p_q_inner_data has another pq');
    const newNonce = int256(inner.newNonce);
    const dh = createDiffieHellman(DH_PRIME, DH_G);
    const gA = dh.generateKeys();
    const answer = new Api.ServerDHInnerData({
      nonce: asInt(step.nonce),
      serverNonce: asInt(step.serverNonce),
      g: DH_G,
      dhPrime: DH_PRIME,
      gA,
      serverTime: this.nowSeconds(),
    }).getBytes();
    const withHash = Buffer.concat([sha1(answer), answer]);
    const padded = Buffer.concat([withHash, randomBytes((16 - (withHash.length % 16)) % 16)]);
    const tmp = tmpAesKeyIv(newNonce, step.serverNonce);
    this.step = { at: 'dh', nonce: step.nonce, serverNonce: step.serverNonce, newNonce, dh, tmp };
    return new Api.ServerDHParamsOk({
      nonce: asInt(step.nonce),
      serverNonce: asInt(step.serverNonce),
      encryptedAnswer: igeEncrypt(padded, tmp.key, tmp.iv),
    });
  }

  private clientDhParams(request: Api.SetClientDHParams): { reply: Api.DhGenOk; authKey: Buffer } {
    const step = this.step;
    if (step.at !== 'dh') throw new HandshakeError('set_client_DH_params before req_DH_params');
    this.checkNonces(step, request.nonce, request.serverNonce);
    const plain = igeDecrypt(request.encryptedData, step.tmp.key, step.tmp.iv);
    const reader = new BinaryReader(plain.subarray(20));
    const inner: unknown = reader.tgReadObject();
    if (!(inner instanceof Api.ClientDHInnerData)) throw new HandshakeError('not client_DH_inner_data');
    if (!sha1(plain.subarray(20, 20 + reader.tellPosition())).equals(plain.subarray(0, 20))) {
      throw new HandshakeError('client_DH_inner_data hash mismatch');
    }
    this.checkNonces(step, inner.nonce, inner.serverNonce);
    const gB = beInt(inner.gB);
    const prime = beInt(DH_PRIME);
    if (gB <= TWO_POW_1984 || gB >= prime - TWO_POW_1984)
      throw new HandshakeError('g_b out of the safe range');
    // GramJS keeps g^ab as its minimal big-endian bytes (255 bytes about once in 256): hold the key the same way.
    const secret = step.dh.computeSecret(inner.gB);
    let start = 0;
    while (start < secret.length - 1 && secret[start] === 0) start++;
    const authKey = Buffer.from(secret.subarray(start));
    this.step = { at: 'start' };
    return {
      reply: new Api.DhGenOk({
        nonce: asInt(step.nonce),
        serverNonce: asInt(step.serverNonce),
        newNonceHash1: asInt(newNonceHash(step.newNonce, 1, authKey)),
      }),
      authKey,
    };
  }

  private checkNonces(
    step: { nonce: Buffer; serverNonce: Buffer },
    nonce: Api.int128,
    serverNonce: Api.int128,
  ): void {
    if (!int128(nonce).equals(step.nonce) || !int128(serverNonce).equals(step.serverNonce)) {
      throw new HandshakeError('nonce mismatch');
    }
  }
}

function toLong(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64LE(value, 0);
  return bytes;
}
