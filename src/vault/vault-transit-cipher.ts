/**
 * Secret cipher on HashiCorp Vault's transit engine, over a `VaultClient` (its own, or one shared with the KV
 * reader and the health probe).
 *
 * - Derived transit key (default `telegram-sessions`), context = base64(String(userId)): a ciphertext decrypts
 *   only in its owner's name. The key is created (derived, aes256-gcm96) on first use when missing.
 * - One Vault round trip per encrypt/decrypt once started; batch operations use `batch_input`.
 * - Every operation is bounded by the client's `timeoutMs`, its set-up (login, key check) included.
 */
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
import {
  AUTH_FAILED,
  batchResults,
  checkEnvelope,
  classifyDecryptError,
  contextFor,
  decryptFailure,
  envelopeFrom,
  failedBatchResults,
  itemError,
  plaintextFrom,
  toBase64,
  TRANSIT_CIPHER,
} from './transit-codec';
import { TransitKey, type TransitKeyInfo } from './transit-keys';
import { VaultClient, type VaultClientOptions } from './vault-client';
import { probeVaultHealth } from './vault-health';
import { type ApiFailure, field, unavailableError } from './vault-response';
import { CipherNotConfiguredError, SecretDecryptionError, VaultUnavailableError } from './vault.errors';

export type { TransitKeyInfo } from './transit-keys';

export const DEFAULT_TRANSIT_KEY = 'telegram-sessions';
/** The derivation context of the health probe's encrypt; never a user's (those are decimal user ids). */
const HEALTH_CONTEXT = 'integration-service/health-check';

export interface TransitKeyOptions {
  /** Default 'transit'. */
  transitMount?: string;
  /** Default 'telegram-sessions'. */
  transitKey?: string;
  /** Create the transit key (derived) when it is missing. Default true. */
  createKeyIfMissing?: boolean;
}

/** A cipher with a client of its own, built from these options. */
export interface VaultTransitCipherOptions extends VaultClientOptions, TransitKeyOptions {}

/** A cipher on a shared client (the client's owner starts and stops it). */
export interface SharedClientTransitOptions extends TransitKeyOptions {
  client: VaultClient;
}

export class VaultTransitCipher implements SecretCipher {
  readonly name = TRANSIT_CIPHER;
  readonly key: string;

  private readonly client: VaultClient;
  private readonly ownsClient: boolean;
  private readonly mount: string;
  private readonly transitKey: TransitKey;
  private readyPromise: Promise<void> | undefined;
  private isReady = false;

  constructor(options: VaultTransitCipherOptions | SharedClientTransitOptions) {
    this.ownsClient = !('client' in options);
    this.client = 'client' in options ? options.client : new VaultClient(options);
    this.key = options.transitKey ?? DEFAULT_TRANSIT_KEY;
    this.mount = (options.transitMount ?? 'transit').replace(/^\/+|\/+$/g, '');
    this.transitKey = new TransitKey(this.client, this.mount, this.key, options.createKeyIfMissing ?? true);
  }

  /** Authenticates, schedules token renewal and makes sure the transit key exists. Idempotent. */
  async start(): Promise<void> {
    this.client.resume();
    await this.client.withDeadline(this.ready(), this.client.deadline());
  }

  /** Stops its own client (timers, pooled connections); a shared one is stopped by its owner. */
  async stop(): Promise<void> {
    if (this.ownsClient) this.client.stop();
    this.isReady = false;
  }

  async encrypt(plaintext: string, userId: number): Promise<SecretEnvelope> {
    assertPlaintext(plaintext);
    assertUserId(userId);
    const deadline = await this.begin();
    const res = await this.client.write(
      'encrypt',
      `${this.mount}/encrypt/${this.key}`,
      { plaintext: toBase64(plaintext), context: contextFor(userId) },
      deadline,
    );
    if (!res.ok) throw this.encryptFailure(res.failure, 'encrypt');
    return envelopeFrom(
      field(res.body, 'data', 'ciphertext'),
      field(res.body, 'data', 'key_version'),
      this.key,
    );
  }

  async decrypt(envelope: SecretEnvelope, userId: number): Promise<string> {
    assertUserId(userId);
    checkEnvelope(envelope);
    const deadline = await this.begin();
    const res = await this.client.write(
      'decrypt',
      `${this.mount}/decrypt/${envelope.key}`,
      { ciphertext: envelope.ciphertext, context: contextFor(userId) },
      deadline,
    );
    if (!res.ok) {
      if (res.failure.status === 400) throw decryptFailure(res.failure);
      throw unavailableError(res.failure, 'decrypt');
    }
    return plaintextFrom(field(res.body, 'data', 'plaintext'));
  }

  async encryptMany(items: readonly EncryptItem[]): Promise<SecretEnvelope[]> {
    for (const item of items) {
      assertPlaintext(item.plaintext);
      assertUserId(item.userId);
    }
    if (items.length === 0) return [];
    const deadline = await this.begin();
    const batch = items.map((item) => ({
      plaintext: toBase64(item.plaintext),
      context: contextFor(item.userId),
    }));
    const res = await this.client.write(
      'encrypt batch',
      `${this.mount}/encrypt/${this.key}`,
      { batch_input: batch },
      deadline,
    );
    let results: Record<string, unknown>[];
    if (res.ok) {
      results = batchResults(res.body, items.length);
    } else {
      const failed = failedBatchResults(res.failure, items.length);
      if (!failed) throw this.encryptFailure(res.failure, 'encrypt batch');
      results = failed;
    }
    if (results.some((r) => itemError(r) !== undefined)) {
      throw new VaultUnavailableError('rejected', res.ok ? 200 : res.failure.status, 'encrypt batch');
    }
    return results.map((r) => envelopeFrom(r.ciphertext, r.key_version, this.key));
  }

  async decryptMany(items: readonly DecryptItem[]): Promise<BatchItemResult<string>[]> {
    items.forEach((item) => assertUserId(item.userId));
    const out: BatchItemResult<string>[] = new Array<BatchItemResult<string>>(items.length);
    const groups = new Map<string, number[]>();
    items.forEach((item, index) => {
      try {
        checkEnvelope(item.envelope);
      } catch (err) {
        out[index] = { ok: false, error: err as SecretDecryptionError };
        return;
      }
      const group = groups.get(item.envelope.key) ?? [];
      group.push(index);
      groups.set(item.envelope.key, group);
    });
    if (groups.size === 0) return out;
    const deadline = await this.begin();
    for (const [keyName, indexes] of groups) {
      const res = await this.client.write(
        'decrypt batch',
        `${this.mount}/decrypt/${keyName}`,
        { batch_input: this.batchInput(items, indexes) },
        deadline,
      );
      let results: Record<string, unknown>[];
      if (res.ok) {
        results = batchResults(res.body, indexes.length);
      } else {
        const failed = failedBatchResults(res.failure, indexes.length);
        if (!failed) {
          if (res.failure.status !== 400) throw unavailableError(res.failure, 'decrypt batch');
          const error = decryptFailure(res.failure);
          indexes.forEach((i) => (out[i] = { ok: false, error }));
          continue;
        }
        results = failed;
      }
      results.forEach((r, j) => {
        const error = itemError(r);
        out[indexes[j]] =
          error !== undefined
            ? { ok: false, error: new SecretDecryptionError(classifyDecryptError(error)) }
            : { ok: true, value: plaintextFrom(r.plaintext) };
      });
    }
    return out;
  }

  async rewrapMany(items: readonly DecryptItem[]): Promise<BatchItemResult<SecretEnvelope>[]> {
    items.forEach((item) => assertUserId(item.userId));
    const out: BatchItemResult<SecretEnvelope>[] = new Array<BatchItemResult<SecretEnvelope>>(items.length);
    const pending: number[] = [];
    items.forEach((item, index) => {
      try {
        checkEnvelope(item.envelope);
        if (item.envelope.key !== this.key) throw new SecretDecryptionError('key_not_found');
        pending.push(index);
      } catch (err) {
        out[index] = { ok: false, error: err as SecretDecryptionError };
      }
    });
    if (pending.length === 0) return out;
    await this.begin();
    await this.rewrapChunk(items, pending, out);
    return out;
  }

  async currentKeyVersion(): Promise<number> {
    return (await this.readKeyInfo()).latestVersion;
  }

  async rotateKey(): Promise<number> {
    const latest = await this.transitKey.rotate(await this.begin());
    return latest ?? this.currentKeyVersion();
  }

  async readKeyInfo(): Promise<TransitKeyInfo> {
    return this.transitKey.read(await this.begin());
  }

  /**
   * Vault's state (`sys/health`), and when it says it can serve, whether this service can use it: one tiny
   * transit encrypt under a context no user has (this also finishes a set-up that failed while Vault was away,
   * and logs in again after a 403). Bounded by `timeoutMs`; never throws.
   */
  health(): Promise<CipherHealth> {
    return probeVaultHealth(this.client, (deadline) => this.probeTransit(deadline));
  }

  // --- plumbing ----------------------------------------------------------------------------------------------

  /** One encrypt of a constant under the health-check context (user contexts are decimal user ids). */
  private async probeTransit(deadline: number): Promise<void> {
    if (!this.isReady) await this.client.withDeadline(this.ready(), deadline);
    const res = await this.client.write(
      'health encrypt',
      `${this.mount}/encrypt/${this.key}`,
      { plaintext: toBase64('ok'), context: toBase64(HEALTH_CONTEXT) },
      deadline,
    );
    if (!res.ok) throw this.encryptFailure(res.failure, 'health encrypt');
  }

  /** Start of an operation: its deadline, after the cipher is ready (bounded by the same deadline). */
  private async begin(): Promise<number> {
    const deadline = this.client.deadline();
    if (!this.isReady) await this.client.withDeadline(this.ready(), deadline);
    return deadline;
  }

  private ready(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    if (!this.readyPromise) {
      this.readyPromise = this.initialize()
        .then(() => {
          this.isReady = true;
        })
        .finally(() => {
          this.readyPromise = undefined;
        });
    }
    return this.readyPromise;
  }

  private async initialize(): Promise<void> {
    await this.client.authenticate();
    await this.transitKey.ensure();
  }

  private encryptFailure(failure: ApiFailure, operation: string): Error {
    if (failure.status === 400 && failure.errors[0] === 'encryption key not found') {
      this.isReady = false;
      return new CipherNotConfiguredError(`Transit key "${this.key}" does not exist`);
    }
    return unavailableError(failure, operation);
  }

  private batchInput(items: readonly DecryptItem[], indexes: number[]): Record<string, string>[] {
    return indexes.map((i) => ({
      ciphertext: items[i].envelope.ciphertext,
      context: contextFor(items[i].userId),
    }));
  }

  /**
   * Rewraps `indexes` in one batch. Vault aborts a whole rewrap batch with a 500 when one item fails AEAD
   * authentication, so such a batch is split in halves until the failing items are isolated.
   */
  private async rewrapChunk(
    items: readonly DecryptItem[],
    indexes: number[],
    out: BatchItemResult<SecretEnvelope>[],
  ): Promise<void> {
    const res = await this.client.write(
      'rewrap batch',
      `${this.mount}/rewrap/${this.key}`,
      { batch_input: this.batchInput(items, indexes) },
      this.client.deadline(),
    );
    if (!res.ok) {
      const { failure } = res;
      if (failure.status === 500 && failure.errors.some((e) => e.includes(AUTH_FAILED))) {
        if (indexes.length === 1) {
          out[indexes[0]] = { ok: false, error: new SecretDecryptionError('authentication_failed') };
          return;
        }
        const middle = Math.ceil(indexes.length / 2);
        await this.rewrapChunk(items, indexes.slice(0, middle), out);
        await this.rewrapChunk(items, indexes.slice(middle), out);
        return;
      }
      const results = failedBatchResults(failure, indexes.length);
      if (!results) {
        if (failure.status !== 400) throw unavailableError(failure, 'rewrap batch');
        const error = decryptFailure(failure);
        indexes.forEach((i) => (out[i] = { ok: false, error }));
        return;
      }
      this.applyRewrapResults(results, indexes, out);
      return;
    }
    this.applyRewrapResults(batchResults(res.body, indexes.length), indexes, out);
  }

  private applyRewrapResults(
    results: Record<string, unknown>[],
    indexes: number[],
    out: BatchItemResult<SecretEnvelope>[],
  ): void {
    results.forEach((r, j) => {
      const error = itemError(r);
      out[indexes[j]] =
        error !== undefined
          ? { ok: false, error: new SecretDecryptionError(classifyDecryptError(error)) }
          : { ok: true, value: envelopeFrom(r.ciphertext, r.key_version, this.key) };
    });
  }
}
