import { randomBytes } from 'node:crypto';
import { authKeyIdBytes } from './mtproto-crypto';

/** An auth key a DC negotiated, with the server salt its sessions must use. */
export interface StoredAuthKey {
  readonly dcId: number;
  readonly authKey: Buffer;
  /** auth_key_id as hex (the same id the world uses). */
  readonly authKeyId: string;
  salt: Buffer;
}

/** The keys each emulated DC knows: created by the auth-key exchange, forgotten on request. */
export class AuthKeyStore {
  private readonly keys = new Map<string, StoredAuthKey>();

  register(dcId: number, authKey: Buffer, salt: Buffer = randomBytes(8)): StoredAuthKey {
    const authKeyId = authKeyIdBytes(authKey).toString('hex');
    const record: StoredAuthKey = { dcId, authKey, authKeyId, salt };
    this.keys.set(`${dcId}:${authKeyId}`, record);
    return record;
  }

  find(dcId: number, authKeyId: string): StoredAuthKey | undefined {
    return this.keys.get(`${dcId}:${authKeyId}`);
  }

  /** The DC forgets the key: its next packet is answered with the transport error −404. */
  forget(dcId: number, authKeyId: string): boolean {
    return this.keys.delete(`${dcId}:${authKeyId}`);
  }

  /** Every key, to be kept across a restart of the server (world-file.ts). */
  all(): StoredAuthKey[] {
    return [...this.keys.values()];
  }

  get size(): number {
    return this.keys.size;
  }
}
