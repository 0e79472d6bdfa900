import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';

/** What `session_metadata` holds: safe, descriptive facts about a session — never a secret. */
export interface SessionMetadata {
  status?: 'code_sent' | '2fa_required' | 'connected' | 'disconnected' | 'revoked' | 'error';
  [key: string]: unknown;
}

/** An encrypted envelope (cipher name, key, key version, ciphertext) or `{}` once wiped. */
export type EncryptedEnvelope = Record<string, unknown>;

@Entity('telegram_sessions')
export class TelegramSessionEntity extends BaseEntity {
  @Index('idx_telegram_sessions_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Index('idx_telegram_sessions_phone')
  @Column({ type: 'varchar', length: 20, nullable: true })
  phone!: string | null;

  @Column({ name: 'session_data', type: 'jsonb' })
  sessionData!: EncryptedEnvelope;

  @Index('idx_telegram_sessions_metadata', { synchronize: false })
  @Column({ name: 'session_metadata', type: 'jsonb', default: () => "'{}'" })
  sessionMetadata!: SessionMetadata;

  @Index('idx_telegram_sessions_active', { synchronize: false })
  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;
}
