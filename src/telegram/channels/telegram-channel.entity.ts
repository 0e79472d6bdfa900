import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';

export const CHANNEL_TYPES = ['channel', 'group', 'supergroup'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

@Entity('telegram_channels')
@Check('chk_telegram_channels_type', `"type" IN ('channel', 'group', 'supergroup')`)
@Index('uq_telegram_channels_user_channel', ['userId', 'channelId'], { unique: true })
export class TelegramChannelEntity extends BaseEntity {
  @Index('idx_telegram_channels_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  /** Bot API form: `-100<id>` for channels and supergroups, `-<id>` for basic groups. */
  @Index('idx_telegram_channels_channel_id')
  @Column({ name: 'channel_id', type: 'bigint' })
  channelId!: string;

  @Column({ type: 'varchar', length: 255 })
  title!: string;

  @Column({ type: 'varchar', length: 20 })
  type!: ChannelType;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  settings!: Record<string, unknown>;

  @Column({ name: 'members_count', type: 'integer', nullable: true, default: 0 })
  membersCount!: number | null;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ type: 'varchar', length: 64, nullable: true })
  username!: string | null;

  /** Addresses a channel over MTProto (channels.*); not a secret. Null for basic groups. */
  @Column({ name: 'access_hash', type: 'bigint', nullable: true })
  accessHash!: string | null;

  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true })
  lastSyncedAt!: Date | null;
}
