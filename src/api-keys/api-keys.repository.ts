import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import type { ApiKeyScope } from '../common/auth/api-key-scopes';
import { ApiKeyEntity } from './api-key.entity';

export interface NewApiKey {
  userId: number;
  name: string;
  scopes: ApiKeyScope[];
  keyHash: string;
  keyPrefix: string;
  accountIds: string[] | null;
  botIds: string[] | null;
  expiresAt: Date | null;
}

/** How often a key's `last_used_at` is written at most: one write per key per this many seconds. */
export const LAST_USED_RESOLUTION_SECONDS = 10;

/** api_keys, owner-scoped except for the lookup by hash that authentication makes. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  insert(tx: EntityManager, key: NewApiKey): Promise<ApiKeyEntity> {
    return tx.save(tx.create(ApiKeyEntity, key));
  }

  /** The user's keys that are not revoked, newest first. */
  listForUser(userId: number): Promise<ApiKeyEntity[]> {
    return this.keys.find({
      where: { userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  findLiveForUser(tx: EntityManager, userId: number, id: string): Promise<ApiKeyEntity | null> {
    return tx.findOne(ApiKeyEntity, {
      where: { id, userId, revokedAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async revoke(tx: EntityManager, id: string): Promise<ApiKeyEntity> {
    await tx.update(ApiKeyEntity, { id }, { revokedAt: () => 'now()' });
    return tx.findOneOrFail(ApiKeyEntity, { where: { id } });
  }

  /** The key with this hash, revoked or not (the caller decides). */
  findByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOne({ where: { keyHash } });
  }

  /** Marks the key used now, unless it was marked within LAST_USED_RESOLUTION_SECONDS. */
  async touch(id: string): Promise<void> {
    await this.keys.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [id, LAST_USED_RESOLUTION_SECONDS],
    );
  }
}
