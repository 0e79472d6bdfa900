import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';
import type { ApiKeyScope } from '../common/auth/api-key-scopes';

/** A scoped key for server-side callers (migration ApiKeys). The key is kept only as its SHA-256. */
@Entity('api_keys')
export class ApiKeyEntity extends BaseEntity {
  @Index('idx_api_keys_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'text', array: true })
  scopes!: ApiKeyScope[];

  @Index('uq_api_keys_key_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash!: string;

  @Column({ name: 'key_prefix', type: 'varchar', length: 16 })
  keyPrefix!: string;

  @Column({ name: 'account_ids', type: 'uuid', array: true, nullable: true })
  accountIds!: string[] | null;

  @Column({ name: 'bot_ids', type: 'uuid', array: true, nullable: true })
  botIds!: string[] | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
