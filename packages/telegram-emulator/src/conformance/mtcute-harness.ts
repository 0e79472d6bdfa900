import { createPublicKey } from 'node:crypto';
import { MemoryStorage, TelegramClient } from '@mtcute/node';
import { addPublicKey } from '@mtcute/core/utils.js';
import { NodeCryptoProvider } from '@mtcute/node/utils.js';

/**
 * mtcute (npm `@mtcute/node`), unmodified, configured as its users configure a custom network: the emulator's
 * RSA key through `addPublicKey`, its DC through the `defaultDcs` option, a fresh in-memory storage. Used by
 * the conformance specs only.
 */

/** What a client needs of an emulator server: DC 1's address and the RSA public key. */
export interface ConformanceTarget {
  readonly host: string;
  readonly port: number;
  readonly rsa: { readonly n: string; readonly e: number };
}

export const MTCUTE_VERSION = '0.30.3';

/** The emulator's RSA key as PEM (PKCS#1, as Telegram publishes its keys). */
export function rsaPem(rsa: ConformanceTarget['rsa']): string {
  const e = Buffer.alloc(4);
  e.writeUInt32BE(rsa.e, 0);
  let start = 0;
  while (start < 3 && e[start] === 0) start++;
  const key = createPublicKey({
    key: {
      kty: 'RSA',
      n: Buffer.from(rsa.n, 'hex').toString('base64url'),
      e: e.subarray(start).toString('base64url'),
    },
    format: 'jwk',
  });
  return key.export({ type: 'pkcs1', format: 'pem' }).toString();
}

export function mtcuteClient(target: ConformanceTarget, apiId: number, apiHash: string): TelegramClient {
  const dc = { id: 1, ipAddress: target.host, port: target.port };
  const crypto = new NodeCryptoProvider();
  addPublicKey(crypto, rsaPem(target.rsa));
  return new TelegramClient({
    apiId,
    crypto,
    apiHash,
    storage: new MemoryStorage(),
    defaultDcs: { main: dc, media: dc },
    logLevel: Number(process.env.MTCUTE_LOG_LEVEL ?? 0),
  });
}
