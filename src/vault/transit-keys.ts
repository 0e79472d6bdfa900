/**
 * Management of the one transit key a cipher encrypts with: make sure it exists and is derived (creating it
 * when allowed), read its versions, rotate it.
 */
import { isRecord } from '../common/util/is-record';
import type { VaultClient } from './vault-client';
import { field, numberField, unavailableError } from './vault-response';
import { CipherNotConfiguredError, VaultUnavailableError } from './vault.errors';

export interface TransitKeyInfo {
  name: string;
  type: string;
  derived: boolean;
  latestVersion: number;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  versions: number[];
}

export class TransitKey {
  private readonly path: string;

  constructor(
    private readonly client: VaultClient,
    mount: string,
    readonly name: string,
    private readonly createIfMissing: boolean,
  ) {
    this.path = `${mount}/keys/${name}`;
  }

  /** The key exists and is derived; created (derived, aes256-gcm96) when missing and allowed. */
  async ensure(): Promise<void> {
    const read = await this.client.read('read key', this.path, this.client.deadline());
    if (read.ok) {
      const info = this.infoFrom(read.body);
      if (!info.derived) {
        throw new CipherNotConfiguredError(
          `Transit key "${this.name}" is not a derived key; per-user binding needs a key created with derived=true`,
        );
      }
      return;
    }
    if (read.failure.status === 403) {
      this.client.logger?.warn(
        `Vault denies reading ${this.path}; assuming the transit key exists and is derived`,
      );
      return;
    }
    if (read.failure.status !== 404) throw unavailableError(read.failure, 'read key');
    if (!this.createIfMissing)
      throw new CipherNotConfiguredError(`Transit key "${this.name}" does not exist at ${this.path}`);
    const created = await this.client.write(
      'create key',
      this.path,
      { type: 'aes256-gcm96', derived: true },
      this.client.deadline(),
    );
    if (created.ok) {
      this.client.logger?.log(`Created derived transit key "${this.name}"`);
      return;
    }
    if (created.failure.status === 403) {
      throw new CipherNotConfiguredError(
        `Transit key "${this.name}" does not exist and this Vault identity is not permitted to create it ` +
          `(403 on POST ${this.path}); create it with derived=true or grant "create" on that path`,
      );
    }
    throw unavailableError(created.failure, 'create key');
  }

  async read(deadline: number): Promise<TransitKeyInfo> {
    const res = await this.client.read('read key', this.path, deadline);
    if (!res.ok) {
      if (res.failure.status === 404)
        throw new CipherNotConfiguredError(`Transit key "${this.name}" does not exist`);
      throw unavailableError(res.failure, 'read key');
    }
    return this.infoFrom(res.body);
  }

  /** Adds a version; returns the new newest version when Vault says it (else undefined). */
  async rotate(deadline: number): Promise<number | undefined> {
    const res = await this.client.write('rotate key', `${this.path}/rotate`, {}, deadline);
    if (!res.ok) {
      if (res.failure.status === 400)
        throw new CipherNotConfiguredError(`Transit key "${this.name}" cannot be rotated`);
      throw unavailableError(res.failure, 'rotate key');
    }
    return numberField(field(res.body, 'data', 'latest_version'));
  }

  private infoFrom(body: unknown): TransitKeyInfo {
    const data = field(body, 'data');
    const latest = numberField(field(data, 'latest_version'));
    const keys = field(data, 'keys');
    const versions = isRecord(keys)
      ? Object.keys(keys)
          .map(Number)
          .filter(Number.isSafeInteger)
          .sort((a, b) => a - b)
      : [];
    const resolvedLatest = latest ?? (versions.length > 0 ? versions[versions.length - 1] : undefined);
    if (!isRecord(data) || resolvedLatest === undefined) {
      throw new VaultUnavailableError('bad_response', undefined, 'read key');
    }
    return {
      name: typeof data.name === 'string' ? data.name : this.name,
      type: typeof data.type === 'string' ? data.type : 'unknown',
      derived: data.derived === true,
      latestVersion: resolvedLatest,
      minDecryptionVersion: numberField(data.min_decryption_version) ?? 1,
      minEncryptionVersion: numberField(data.min_encryption_version) ?? 0,
      versions,
    };
  }
}
