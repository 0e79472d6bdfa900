import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';
import { registerSecretColumns } from '../../vault/secret-columns';
import type { EncryptedEnvelope } from '../accounts/telegram-session.entity';

export const BOT_STATUSES = ['active', 'revoked', 'removed'] as const;
export type BotStatus = (typeof BOT_STATUSES)[number];

@Entity('telegram_bots')
@Check('chk_telegram_bots_status', `"status" IN ('active', 'revoked', 'removed')`)
// Partial unique index defined in migration BotSessions (its WHERE clause is beyond the schema diff).
@Index('uq_telegram_bots_user_bot_active', { synchronize: false })
export class TelegramBotEntity extends BaseEntity {
  @Index('idx_telegram_bots_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  /** The bot token is a credential: stored only as an encrypted envelope. */
  @Column({
    name: 'bot_token',
    type: 'jsonb',
    comment: 'encrypted envelope {cipher, key, key_version, ciphertext}; never plaintext',
  })
  botToken!: EncryptedEnvelope;

  /** The bot's MTProto StringSession (auth.importBotAuthorization): as strong as the token. */
  @Column({
    name: 'bot_session',
    type: 'jsonb',
    default: () => "'{}'",
    comment: "encrypted envelope of the bot's MTProto session; never plaintext",
  })
  botSession!: EncryptedEnvelope;

  @Column({ type: 'varchar', length: 50 })
  username!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  settings!: Record<string, unknown>;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  /** The bot's Telegram user id (64-bit, as a decimal string). */
  @Column({ name: 'telegram_bot_id', type: 'bigint', nullable: true })
  telegramBotId!: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 255, nullable: true })
  firstName!: string | null;

  @Column({ name: 'can_join_groups', type: 'boolean', nullable: true })
  canJoinGroups!: boolean | null;

  @Column({ name: 'can_read_all_group_messages', type: 'boolean', nullable: true })
  canReadAllGroupMessages!: boolean | null;

  @Column({ name: 'dc_id', type: 'integer', nullable: true })
  dcId!: number | null;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status!: BotStatus;

  @Column({ name: 'last_error', type: 'varchar', length: 100, nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_checked_at', type: 'timestamptz', nullable: true })
  lastCheckedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}

/** `npm run secrets:rewrap` rewraps and migrates the token and the session with every other registered secret. */
registerSecretColumns(
  { table: 'telegram_bots', column: 'bot_token' },
  { table: 'telegram_bots', column: 'bot_session' },
);
