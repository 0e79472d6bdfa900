import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { ApiKeyGrant, ApiKeyResolver } from '../common/auth/api-key-grant';
import type { ApiKeyEntity } from './api-key.entity';
import { apiKeyHash, isWellFormedApiKey } from './api-key-secret';
import { ApiKeysRepository, LAST_USED_RESOLUTION_SECONDS } from './api-keys.repository';

/**
 * How long a replica trusts what it read of a key. Revoking a key takes effect on every replica
 * within this time (each reads the row again after it), while a busy key costs one query per
 * this interval rather than one per request.
 */
export const API_KEY_CACHE_MS = 500;
const CACHE_ENTRIES = 10_000;

interface Cached {
  row: ApiKeyEntity | null;
  readAt: number;
}

/** Authentication's view of API keys (the ApiKeyResolver port): hash, look up, check, mark used. */
@Injectable()
export class ApiKeyLookup implements ApiKeyResolver {
  private readonly cache = new Map<string, Cached>();
  private readonly touchedAt = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeysRepository,
    @InjectPinoLogger(ApiKeyLookup.name) private readonly logger: PinoLogger,
  ) {}

  async resolve(key: string): Promise<{ userId: number; grant: ApiKeyGrant } | null> {
    if (!isWellFormedApiKey(key)) return null;
    const row = await this.read(apiKeyHash(key));
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return null;
    this.markUsed(row.id);
    return {
      userId: row.userId,
      grant: { id: row.id, scopes: row.scopes, accountIds: row.accountIds, botIds: row.botIds },
    };
  }

  /** Forgets a key this replica read (its own revocations take effect at once). */
  forget(keyHash: string): void {
    this.cache.delete(keyHash);
  }

  private async read(hash: string): Promise<ApiKeyEntity | null> {
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && now - cached.readAt < API_KEY_CACHE_MS) return cached.row;
    const row = await this.keys.findByHash(hash);
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
    this.cache.set(hash, { row, readAt: now });
    return row;
  }

  /** Writes last_used_at in the background, at most once per key per LAST_USED_RESOLUTION_SECONDS. */
  private markUsed(id: string): void {
    const now = Date.now();
    const last = this.touchedAt.get(id);
    if (last !== undefined && now - last < LAST_USED_RESOLUTION_SECONDS * 1000) return;
    if (this.touchedAt.size >= CACHE_ENTRIES) this.touchedAt.clear();
    this.touchedAt.set(id, now);
    this.keys.touch(id).catch((error: unknown) => {
      this.touchedAt.delete(id);
      this.logger.warn({ err: error, api_key_id: id }, 'Could not record when an API key was last used');
    });
  }
}
