/**
 * The transit secrets engine of the fake Vault: real AES-GCM with a 96-bit nonce, per-version random keys,
 * HKDF-SHA256 key derivation for derived keys (as Vault's keysutil does for `Kdf_hkdf_sha256`: ikm = version
 * key, no salt, info = context), and Vault's ciphertext format `vault:v<N>:base64(nonce || ciphertext || tag)`.
 *
 * Error texts follow hashicorp/vault sdk/helper/keysutil/policy.go and builtin/logical/transit/path_*.go.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export type TransitKeyType = 'aes256-gcm96' | 'aes128-gcm96';

export interface TransitKeyVersion {
  readonly key: Buffer;
  /** Unix seconds, as Vault reports it in `keys`. */
  readonly createdAt: number;
}

export interface TransitKey {
  readonly name: string;
  readonly type: TransitKeyType;
  readonly derived: boolean;
  exportable: boolean;
  allowPlaintextBackup: boolean;
  deletionAllowed: boolean;
  autoRotatePeriod: number;
  latestVersion: number;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  minAvailableVersion: number;
  readonly versions: Map<number, TransitKeyVersion>;
}

/** A Vault `errutil.UserError`: the HTTP layer answers 400. */
export class TransitUserError extends Error {}

/**
 * What Go's `aead.Open` returns. It is neither a UserError nor an InternalError: decrypt reports it as a user
 * error (400), rewrap returns it as a plain error (500).
 */
export class TransitAuthError extends Error {
  constructor() {
    super('cipher: message authentication failed');
  }
}

export const ERR_MISSING_CONTEXT =
  "missing 'context' for key derivation; the key was created using a derived key, which means additional, " +
  'per-request information must be included in order to perform operations with the key';
export const ERR_TOO_OLD = 'ciphertext or signature version is disallowed by policy (too old)';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BASE64_ALPHABET = /^[A-Za-z0-9+/]$/;

/** Strict standard base64 as Go's `base64.StdEncoding.DecodeString`, with Go's error text. */
export function decodeGoBase64(value: string): Buffer {
  const padStart = value.length - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0);
  for (let i = 0; i < padStart; i += 1) {
    if (!BASE64_ALPHABET.test(value[i])) throw new Error(`illegal base64 data at input byte ${i}`);
  }
  if (value.length % 4 !== 0) {
    throw new Error(`illegal base64 data at input byte ${value.length - (value.length % 4)}`);
  }
  return Buffer.from(value, 'base64');
}

function keyBytes(type: TransitKeyType): number {
  return type === 'aes128-gcm96' ? 16 : 32;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export class TransitEngine {
  private readonly keys = new Map<string, TransitKey>();

  get(name: string): TransitKey | undefined {
    return this.keys.get(name);
  }

  names(): string[] {
    return [...this.keys.keys()].sort();
  }

  create(name: string, options: { type?: TransitKeyType; derived?: boolean } = {}): TransitKey {
    const existing = this.keys.get(name);
    if (existing) return existing;
    const type = options.type ?? 'aes256-gcm96';
    const key: TransitKey = {
      name,
      type,
      derived: options.derived ?? false,
      exportable: false,
      allowPlaintextBackup: false,
      deletionAllowed: false,
      autoRotatePeriod: 0,
      latestVersion: 1,
      minDecryptionVersion: 1,
      minEncryptionVersion: 0,
      minAvailableVersion: 0,
      versions: new Map([[1, { key: randomBytes(keyBytes(type)), createdAt: nowSeconds() }]]),
    };
    this.keys.set(name, key);
    return key;
  }

  delete(name: string): boolean {
    return this.keys.delete(name);
  }

  /** Puts a key (taken out with `get` + `delete`) back under its name, versions and all. */
  restore(key: TransitKey): void {
    this.keys.set(key.name, key);
  }

  rotate(name: string): TransitKey {
    const key = this.keys.get(name);
    if (!key) throw new TransitUserError('key not found');
    key.latestVersion += 1;
    key.versions.set(key.latestVersion, { key: randomBytes(keyBytes(key.type)), createdAt: nowSeconds() });
    return key;
  }

  /** `GetKey`: the raw version key, or the HKDF-derived one for derived keys. */
  private encryptionKey(key: TransitKey, version: number, context: Buffer | undefined): Buffer {
    const entry = key.versions.get(version);
    if (!entry) throw new TransitUserError('invalid key version');
    if (!key.derived) return entry.key;
    if (!context || context.length === 0) throw new TransitUserError(ERR_MISSING_CONTEXT);
    return Buffer.from(hkdfSync('sha256', entry.key, Buffer.alloc(0), context, keyBytes(key.type)));
  }

  /** `Policy.EncryptWithFactory` for AES-GCM keys. `plaintextB64` was already checked to be base64. */
  encrypt(key: TransitKey, plaintextB64: string, context: Buffer | undefined, requestedVersion = 0): string {
    let version = requestedVersion;
    if (version === 0) version = key.latestVersion;
    else if (version < 0) throw new TransitUserError('requested version for encryption is negative');
    else if (version > key.latestVersion) {
      throw new TransitUserError('requested version for encryption is higher than the latest key version');
    } else if (key.minEncryptionVersion > 0 && version < key.minEncryptionVersion) {
      throw new TransitUserError(
        'requested version for encryption is less than the minimum encryption key version',
      );
    }
    let plaintext: Buffer;
    try {
      plaintext = decodeGoBase64(plaintextB64);
    } catch {
      throw new TransitUserError('failed to base64-decode plaintext');
    }
    const encKey = this.encryptionKey(key, version, context);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(key.type === 'aes128-gcm96' ? 'aes-128-gcm' : 'aes-256-gcm', encKey, nonce);
    const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `vault:v${version}:${sealed.toString('base64')}`;
  }

  /** The key version a ciphertext names (after the checks `DecryptWithFactory` makes first). */
  parseVersion(key: TransitKey, value: string): { version: number; payload: string } {
    if (!value.startsWith('vault:v')) throw new TransitUserError('invalid ciphertext: no prefix');
    const rest = value.slice('vault:v'.length);
    const sep = rest.indexOf(':');
    if (sep < 0) throw new TransitUserError('invalid ciphertext: wrong number of fields');
    const versionText = rest.slice(0, sep);
    if (!/^[+-]?\d+$/.test(versionText)) {
      throw new TransitUserError('invalid ciphertext: version number could not be decoded');
    }
    let version = Number(versionText);
    if (version === 0) version = 1;
    if (version > key.latestVersion) throw new TransitUserError('invalid ciphertext: version is too new');
    if (key.minDecryptionVersion > 0 && version < key.minDecryptionVersion)
      throw new TransitUserError(ERR_TOO_OLD);
    return { version, payload: rest.slice(sep + 1) };
  }

  /** `Policy.DecryptWithFactory`: returns base64 plaintext. */
  decrypt(key: TransitKey, value: string, context: Buffer | undefined): string {
    const { version, payload } = this.parseVersion(key, value);
    let decoded: Buffer;
    try {
      decoded = decodeGoBase64(payload);
    } catch {
      throw new TransitUserError('invalid ciphertext: could not decode base64');
    }
    const encKey = this.encryptionKey(key, version, context);
    if (decoded.length < NONCE_BYTES) throw new TransitUserError('invalid ciphertext length');
    const nonce = decoded.subarray(0, NONCE_BYTES);
    const body = decoded.subarray(NONCE_BYTES);
    if (body.length < TAG_BYTES) throw new TransitAuthError();
    const decipher = createDecipheriv(
      key.type === 'aes128-gcm96' ? 'aes-128-gcm' : 'aes-256-gcm',
      encKey,
      nonce,
    );
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return plain.toString('base64');
    } catch {
      throw new TransitAuthError();
    }
  }

  /** `formatKeyPolicy`: the `data` of a key read (and, in current Vault, of create/rotate/config). */
  describe(key: TransitKey): Record<string, unknown> {
    const keys: Record<string, number> = {};
    for (const [version, entry] of key.versions) keys[String(version)] = entry.createdAt;
    const data: Record<string, unknown> = {
      name: key.name,
      type: key.type,
      derived: key.derived,
      deletion_allowed: key.deletionAllowed,
      min_available_version: key.minAvailableVersion,
      min_decryption_version: key.minDecryptionVersion,
      min_encryption_version: key.minEncryptionVersion,
      latest_version: key.latestVersion,
      exportable: key.exportable,
      allow_plaintext_backup: key.allowPlaintextBackup,
      supports_encryption: true,
      supports_decryption: true,
      supports_signing: false,
      supports_derivation: true,
      auto_rotate_period: key.autoRotatePeriod,
      imported_key: false,
      keys,
    };
    if (key.derived) {
      data.kdf = 'hkdf_sha256';
      data.convergent_encryption = false;
    }
    return data;
  }
}
