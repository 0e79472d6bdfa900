/**
 * Reading Vault's KV v2 engine. `VaultKvReader.read` is one authenticated GET of a secret's data;
 * `VaultKvReader.secret` is a cached view of one secret for a feature that needs it repeatedly (e.g. the
 * Telegram API credentials): parsed by the feature, cached for `cacheTtlMs`, one read in flight at a time,
 * and its last good value served while Vault is unavailable.
 */
import { isRecord } from '../common/util/is-record';
import type { VaultClient } from './vault-client';
import { field, unavailableError } from './vault-response';
import { VaultSecretNotFoundError, VaultUnavailableError } from './vault.errors';

export const DEFAULT_KV_CACHE_TTL_MS = 300_000;

export interface KvSecretOptions<T> {
  /** The KV v2 read path, e.g. `secret/data/integrations/telegram`. */
  path: string;
  /** What the secret is, for operation names and log lines, e.g. `telegram credentials`. */
  name: string;
  /** Turns the secret's data into the value; throws when it is unusable (a bad value is never cached). */
  parse: (data: Record<string, unknown>, path: string) => T;
  /** Default 300000. */
  cacheTtlMs?: number;
}

/** A cached, parsed view of one KV secret (see `VaultKvReader.secret`). */
export interface KvSecret<T> {
  /**
   * The value, from the cache while fresh. When Vault is unavailable and a value was read before, that (stale)
   * value is returned.
   * @throws VaultSecretNotFoundError when there is no secret at the path
   * @throws VaultUnavailableError when Vault cannot answer and nothing was cached
   */
  get(): Promise<T>;
}

export class VaultKvReader {
  constructor(private readonly client: VaultClient) {}

  /** The data of the KV v2 secret at `path` (`data.data` of the answer). */
  async read(path: string, operation = `read ${path}`): Promise<Record<string, unknown>> {
    const normalized = path.replace(/^\/+/, '');
    const res = await this.client.read(operation, normalized, this.client.deadline());
    if (!res.ok) {
      if (res.failure.status === 404) throw new VaultSecretNotFoundError(normalized);
      throw unavailableError(res.failure, operation);
    }
    const data = field(res.body, 'data', 'data');
    return isRecord(data) ? data : {};
  }

  secret<T>(options: KvSecretOptions<T>): KvSecret<T> {
    const path = options.path.replace(/^\/+/, '');
    const ttlMs = options.cacheTtlMs ?? DEFAULT_KV_CACHE_TTL_MS;
    let cache: { value: T; expiresAt: number } | undefined;
    let inFlight: Promise<T> | undefined;
    const fetch = async (): Promise<T> => {
      const value = options.parse(await this.read(path, `read ${options.name}`), path);
      cache = { value, expiresAt: Date.now() + ttlMs };
      return value;
    };
    return {
      get: async () => {
        const cached = cache;
        if (cached && cached.expiresAt > Date.now()) return cached.value;
        inFlight ??= fetch().finally(() => {
          inFlight = undefined;
        });
        try {
          return await inFlight;
        } catch (err) {
          if (err instanceof VaultUnavailableError && cached) {
            this.client.logger?.warn(`Vault unavailable (${err.reason}); using cached ${options.name}`);
            return cached.value;
          }
          throw err;
        }
      },
    };
  }
}
