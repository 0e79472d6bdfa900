import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';
import type { SenderType } from '../senders/sender-directory';

export const CHAT_ROLES = ['creator', 'admin', 'member'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** Which of the user's accounts and bots reach a chat, in what role, and whether each can post. */
@Entity('telegram_channel_senders')
@Check('chk_telegram_channel_senders_type', `"sender_type" IN ('account', 'bot')`)
@Check('chk_telegram_channel_senders_role', `"role" IN ('creator', 'admin', 'member')`)
@Index('uq_telegram_channel_senders_sender', ['channelRowId', 'senderType', 'senderId'], { unique: true })
@Index('idx_telegram_channel_senders_user_sender', ['userId', 'senderType', 'senderId'])
export class ChannelSenderEntity extends BaseEntity {
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ name: 'channel_row_id', type: 'uuid' })
  channelRowId!: string;

  @Column({ name: 'sender_type', type: 'varchar', length: 10 })
  senderType!: SenderType;

  /** A telegram_sessions id (account) or a telegram_bots id (bot). */
  @Column({ name: 'sender_id', type: 'uuid' })
  senderId!: string;

  @Column({ type: 'varchar', length: 10 })
  role!: ChatRole;

  @Column({ name: 'can_post', type: 'boolean', default: false })
  canPost!: boolean;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;
}
