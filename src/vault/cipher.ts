/**
 * The secret cipher contract. Secrets (Telegram session strings, bot tokens) are stored as a `SecretEnvelope`
 * in JSONB: the ciphertext plus what is needed to decrypt it, never the plaintext. Every ciphertext is bound to
 * the owning user id (Vault: derived key with the user id as context; local: AES-GCM associated data), so a
 * row copied to another user does not decrypt in that user's name.
 */
import { isRecord } from '../common/util/is-record';
import { SecretDecryptionError } from './vault.errors';

export type CipherName = 'vault-transit' | 'local-aes-256-gcm';

export const CIPHER_NAMES: readonly CipherName[] = ['vault-transit', 'local-aes-256-gcm'];

export interface SecretEnvelope {
  v: 1;
  cipher: CipherName;
  /** Key name: the transit key, or the local key ring's name. */
  key: string;
  key_version: number;
  /** Vault: `vault:vN:...` as Vault returns it; local: base64(nonce | ciphertext | tag). */
  ciphertext: string;
}

export interface EncryptItem {
  plaintext: string;
  userId: number;
}

export interface DecryptItem {
  envelope: SecretEnvelope;
  userId: number;
}

/** One item of a batch: batches never fail as a whole because one item does not decrypt. */
export type BatchItemResult<T> = { ok: true; value: T } | { ok: false; error: SecretDecryptionError };

export type CipherState =
  | 'active'
  | 'standby'
  | 'perf_standby'
  | 'dr_secondary'
  | 'sealed'
  | 'uninitialized'
  | 'unreachable'
  | 'timeout'
  /** The TLS handshake failed (see `detail`). */
  | 'tls_failed'
  | 'unexpected_response'
  /** Vault answers, but refuses this service's token (403 even after a fresh login). */
  | 'forbidden'
  /** Vault answers, but the configured AppRole/Kubernetes login is rejected. */
  | 'login_failed'
  /** Vault answers, but the transit key is missing (and cannot be created) or not derived. */
  | 'misconfigured'
  | 'local'
  | 'error';

export interface CipherHealth {
  status: 'up' | 'down';
  state: CipherState;
  latency_ms: number;
  /** Vault's version when it answered. */
  version?: string;
  /** Why it is down, when there is more to say than the state (e.g. why TLS failed). */
  detail?: string;
}

export interface SecretCipher {
  readonly name: CipherName;
  /** The key new envelopes are made with. */
  readonly key: string;
  encrypt(plaintext: string, userId: number): Promise<SecretEnvelope>;
  decrypt(envelope: SecretEnvelope, userId: number): Promise<string>;
  /** All items or an error; Vault: one round trip. */
  encryptMany(items: readonly EncryptItem[]): Promise<SecretEnvelope[]>;
  /** Results in input order; Vault: one round trip per key name. */
  decryptMany(items: readonly DecryptItem[]): Promise<BatchItemResult<string>[]>;
  /**
   * Re-encrypts envelopes of this cipher and key under the key's newest version without returning plaintext
   * to the caller (Vault: `transit/rewrap`, one round trip). Other envelopes fail with `wrong_cipher`
   * or `key_not_found`; use `rewrapEnvelopes` (rewrap.ts) for migrations.
   */
  rewrapMany(items: readonly DecryptItem[]): Promise<BatchItemResult<SecretEnvelope>[]>;
  /** The newest key version (what `encrypt` uses now). */
  currentKeyVersion(): Promise<number>;
  /** Adds a key version; returns the new newest version. Old versions keep decrypting. */
  rotateKey(): Promise<number>;
  /** Never throws. */
  health(): Promise<CipherHealth>;
}

/** Type guard for envelopes read back from JSONB. */
export function isSecretEnvelope(value: unknown): value is SecretEnvelope {
  return (
    isRecord(value) &&
    value.v === 1 &&
    typeof value.cipher === 'string' &&
    (CIPHER_NAMES as readonly string[]).includes(value.cipher) &&
    typeof value.key === 'string' &&
    value.key.length > 0 &&
    typeof value.key_version === 'number' &&
    Number.isSafeInteger(value.key_version) &&
    value.key_version > 0 &&
    typeof value.ciphertext === 'string' &&
    value.ciphertext.length > 0
  );
}

/** Narrows a JSONB value to an envelope or throws `SecretDecryptionError('malformed')`. */
export function assertSecretEnvelope(value: unknown): SecretEnvelope {
  if (!isSecretEnvelope(value)) throw new SecretDecryptionError('malformed');
  return value;
}

/** User ids are the JWT subject's integer id. */
export function assertUserId(userId: number): void {
  if (!Number.isSafeInteger(userId)) throw new TypeError('userId must be a safe integer');
}

export function assertPlaintext(plaintext: string): void {
  if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string');
}
