/**
 * AES-256-GCM with a versioned key ring in a JSON file: the development / single-node stand-in for Vault.
 *
 * - The file is created on first use with mode 0600 (its directory 0700 when this creates it); an existing
 *   file with wider permissions is narrowed to 0600.
 * - `rotateKey()` appends a version; old versions stay for decryption. Writes are atomic (temp file + rename).
 * - Each envelope: random 12-byte nonce, ciphertext = base64(nonce | ct | 16-byte tag), and the associated data
 *   binds the envelope format, cipher, key name, key version and the user id, so another user's id (or an
 *   edited key_version) fails authentication.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isRecord } from '../common/util/is-record';
import {
  assertPlaintext,
  assertUserId,
  type BatchItemResult,
  type CipherHealth,
  type DecryptItem,
  type EncryptItem,
  type SecretCipher,
  type SecretEnvelope,
} from './cipher';
import { CipherNotConfiguredError, SecretDecryptionError } from './vault.errors';

export const DEFAULT_LOCAL_KEYRING_PATH = './data/keys/local-keyring.json';

const KEYRING_FORMAT = 'integration-service/local-aes-256-gcm-keyring';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface LocalCipherOptions {
  /** Key ring file; created on first use. */
  keyringPath: string;
  /** Name recorded in envelopes (`key`) and in the file. Default 'local'. */
  keyName?: string;
}

interface KeyringFile {
  format: typeof KEYRING_FORMAT;
  key_name: string;
  keys: { version: number; key: string; created_at: string }[];
}

interface Keyring {
  keyName: string;
  versions: Map<number, Buffer>;
  latest: number;
  file: KeyringFile;
}

function errorCode(err: unknown): string | undefined {
  return isRecord(err) && typeof err.code === 'string' ? err.code : undefined;
}

function parseKeyring(text: string, path: string): Keyring {
  const invalid = (why: string): CipherNotConfiguredError =>
    new CipherNotConfiguredError(`Local key ring ${path} is invalid: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  if (!isRecord(parsed) || parsed.format !== KEYRING_FORMAT) throw invalid('unknown format');
  if (typeof parsed.key_name !== 'string' || parsed.key_name === '') throw invalid('missing key_name');
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw invalid('no keys');
  const versions = new Map<number, Buffer>();
  const keys: KeyringFile['keys'] = [];
  for (const entry of parsed.keys as unknown[]) {
    if (!isRecord(entry) || !Number.isSafeInteger(entry.version) || typeof entry.key !== 'string') {
      throw invalid('bad key entry');
    }
    const version = entry.version as number;
    const key = Buffer.from(entry.key, 'base64');
    if (version < 1 || key.length !== KEY_BYTES || versions.has(version))
      throw invalid(`bad key version ${version}`);
    versions.set(version, key);
    keys.push({
      version,
      key: entry.key,
      created_at: typeof entry.created_at === 'string' ? entry.created_at : '',
    });
  }
  return {
    keyName: parsed.key_name,
    versions,
    latest: Math.max(...versions.keys()),
    file: { format: KEYRING_FORMAT, key_name: parsed.key_name, keys },
  };
}

function newKeyEntry(version: number): KeyringFile['keys'][number] {
  return { version, key: randomBytes(KEY_BYTES).toString('base64'), created_at: new Date().toISOString() };
}

export class LocalAesGcmCipher implements SecretCipher {
  readonly name = 'local-aes-256-gcm' as const;
  readonly key: string;
  private readonly path: string;
  private ring: Keyring | undefined;
  private loading: Promise<Keyring> | undefined;

  constructor(options: LocalCipherOptions) {
    if (!options.keyringPath) throw new CipherNotConfiguredError('Local cipher needs a key ring path');
    this.path = options.keyringPath;
    this.key = options.keyName ?? 'local';
  }

  /** Loads (or creates) the key ring. Called implicitly by every operation. */
  async init(): Promise<void> {
    await this.keyring();
  }

  async encrypt(plaintext: string, userId: number): Promise<SecretEnvelope> {
    assertPlaintext(plaintext);
    assertUserId(userId);
    const ring = await this.keyring();
    return this.seal(ring, plaintext, userId);
  }

  async decrypt(envelope: SecretEnvelope, userId: number): Promise<string> {
    assertUserId(userId);
    const ring = await this.keyring();
    return this.open(await this.ringFor(ring, envelope), envelope, userId);
  }

  async encryptMany(items: readonly EncryptItem[]): Promise<SecretEnvelope[]> {
    for (const item of items) {
      assertPlaintext(item.plaintext);
      assertUserId(item.userId);
    }
    const ring = await this.keyring();
    return items.map((item) => this.seal(ring, item.plaintext, item.userId));
  }

  async decryptMany(items: readonly DecryptItem[]): Promise<BatchItemResult<string>[]> {
    items.forEach((item) => assertUserId(item.userId));
    let ring = await this.keyring();
    const results: BatchItemResult<string>[] = [];
    for (const item of items) {
      try {
        ring = await this.ringFor(ring, item.envelope);
        results.push({ ok: true, value: this.open(ring, item.envelope, item.userId) });
      } catch (err) {
        if (!(err instanceof SecretDecryptionError)) throw err;
        results.push({ ok: false, error: err });
      }
    }
    return results;
  }

  async rewrapMany(items: readonly DecryptItem[]): Promise<BatchItemResult<SecretEnvelope>[]> {
    const decrypted = await this.decryptMany(items);
    const ring = await this.keyring();
    return decrypted.map((result, i) =>
      result.ok ? { ok: true, value: this.seal(ring, result.value, items[i].userId) } : result,
    );
  }

  async currentKeyVersion(): Promise<number> {
    return (await this.reload()).latest;
  }

  async rotateKey(): Promise<number> {
    const ring = await this.reload();
    const file: KeyringFile = { ...ring.file, keys: [...ring.file.keys, newKeyEntry(ring.latest + 1)] };
    await this.writeAtomically(JSON.stringify(file, null, 2));
    return (await this.reload()).latest;
  }

  async health(): Promise<CipherHealth> {
    const started = Date.now();
    try {
      await this.keyring();
      return { status: 'up', state: 'local', latency_ms: Date.now() - started };
    } catch {
      return { status: 'down', state: 'error', latency_ms: Date.now() - started };
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  private aad(keyName: string, version: number, userId: number): Buffer {
    return Buffer.from(`secret-envelope/v1|${this.name}|${keyName}|${version}|user:${userId}`, 'utf8');
  }

  private seal(ring: Keyring, plaintext: string, userId: number): SecretEnvelope {
    const version = ring.latest;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', ring.versions.get(version)!, nonce);
    cipher.setAAD(this.aad(ring.keyName, version, userId));
    const sealed = Buffer.concat([
      nonce,
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return {
      v: 1,
      cipher: this.name,
      key: ring.keyName,
      key_version: version,
      ciphertext: sealed.toString('base64'),
    };
  }

  private open(ring: Keyring, envelope: SecretEnvelope, userId: number): string {
    const key = ring.versions.get(envelope.key_version);
    if (!key) throw new SecretDecryptionError('unknown_key_version');
    const raw = Buffer.from(envelope.ciphertext, 'base64');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SecretDecryptionError('malformed');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, NONCE_BYTES));
    decipher.setAAD(this.aad(envelope.key, envelope.key_version, userId));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('authentication_failed');
    }
  }

  /** Checks the envelope belongs here; reloads the file once if it names a version this process has not seen. */
  private async ringFor(ring: Keyring, envelope: SecretEnvelope): Promise<Keyring> {
    if (
      typeof envelope !== 'object' ||
      envelope === null ||
      envelope.v !== 1 ||
      typeof envelope.ciphertext !== 'string' ||
      !Number.isSafeInteger(envelope.key_version)
    ) {
      throw new SecretDecryptionError('malformed');
    }
    if (envelope.cipher !== this.name) throw new SecretDecryptionError('wrong_cipher');
    if (envelope.key !== ring.keyName) throw new SecretDecryptionError('key_not_found');
    if (ring.versions.has(envelope.key_version)) return ring;
    return this.reload();
  }

  private keyring(): Promise<Keyring> {
    if (this.ring) return Promise.resolve(this.ring);
    if (!this.loading) {
      this.loading = this.loadOrCreate().finally(() => {
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  private async reload(): Promise<Keyring> {
    await this.keyring();
    this.ring = parseKeyring(await readFile(this.path, 'utf8'), this.path);
    return this.ring;
  }

  private async loadOrCreate(): Promise<Keyring> {
    const dir = dirname(this.path);
    const createdDir = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (createdDir !== undefined) await chmod(dir, 0o700);
    const initial: KeyringFile = { format: KEYRING_FORMAT, key_name: this.key, keys: [newKeyEntry(1)] };
    try {
      const handle = await open(this.path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(initial, null, 2), 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(this.path, 0o600);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') {
        throw new CipherNotConfiguredError(
          `Local key ring ${this.path} cannot be created (${errorCode(err) ?? 'error'})`,
        );
      }
      const mode = (await stat(this.path)).mode & 0o777;
      if ((mode & 0o077) !== 0) await chmod(this.path, 0o600);
    }
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      throw new CipherNotConfiguredError(
        `Local key ring ${this.path} cannot be read (${errorCode(err) ?? 'error'})`,
      );
    }
    const ring = parseKeyring(text, this.path);
    if (ring.keyName !== this.key) {
      throw new CipherNotConfiguredError(
        `Local key ring ${this.path} holds key "${ring.keyName}", but the cipher is configured for "${this.key}"`,
      );
    }
    this.ring = ring;
    return ring;
  }

  private async writeAtomically(text: string): Promise<void> {
    const temp = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(temp, 0o600);
      await rename(temp, this.path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }
}
