import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';
import type { SenderType } from '../senders/sender-directory';

export const MESSAGE_STATUSES = ['queued', 'waiting', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
/** Statuses of a message that may still be sent. */
export const OPEN_STATUSES: readonly MessageStatus[] = ['queued', 'waiting', 'sending'];

export type PeerKind = 'channel' | 'chat' | 'user';

/** The resolved target, as the gateway addresses it (ids are decimal strings; not secrets). */
export interface MessagePeer {
  kind: PeerKind;
  /** The bare id (no -100 prefix). */
  id: string;
  accessHash: string | null;
  /** broadcast channel, supergroup, basic group or user: decides the bot pacing (20/min per group). */
  chatType: 'channel' | 'supergroup' | 'group' | 'user';
}

export interface MessageOptions {
  silent?: boolean;
  disable_link_preview?: boolean;
  reply_to?: number;
}

export interface MessageMedia {
  kind: 'photo' | 'document';
  file_name: string;
  mime_type: string;
  size: number;
}

@Entity('telegram_messages')
@Check('chk_telegram_messages_sender_type', `"sender_type" IN ('account', 'bot')`)
@Check(
  'chk_telegram_messages_status',
  `"status" IN ('queued', 'waiting', 'sending', 'sent', 'failed', 'cancelled')`,
)
@Index('idx_telegram_messages_user_created', ['userId', 'createdAt'])
@Index('idx_telegram_messages_lane_open', { synchronize: false })
@Index('idx_telegram_messages_sender_attempted', { synchronize: false })
@Index('uq_telegram_messages_idempotency', { synchronize: false })
export class TelegramMessageEntity extends BaseEntity {
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ name: 'sender_type', type: 'varchar', length: 10 })
  senderType!: SenderType;

  @Column({ name: 'sender_id', type: 'uuid' })
  senderId!: string;

  @Column({ name: 'channel_row_id', type: 'uuid', nullable: true })
  channelRowId!: string | null;

  /** Bot API form: `-100<id>` channels and supergroups, `-<id>` basic groups, `<id>` users. */
  @Column({ name: 'chat_id', type: 'bigint' })
  chatId!: string;

  @Column({ type: 'jsonb' })
  peer!: MessagePeer;

  /** `<sender_type>:<sender_id>:<chat_id>`: order and per-chat pacing are kept per lane. */
  @Column({ type: 'varchar', length: 120 })
  lane!: string;

  @Column({ type: 'text', default: '' })
  text!: string;

  @Column({ name: 'parse_mode', type: 'varchar', length: 10, nullable: true })
  parseMode!: 'markdown' | 'html' | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  options!: MessageOptions;

  @Column({ type: 'jsonb', nullable: true })
  media!: MessageMedia | null;

  @Column({ type: 'varchar', length: 10, default: 'queued' })
  status!: MessageStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Telegram's random_id (int64, decimal string), fixed at enqueue: every attempt sends it. */
  @Column({ name: 'random_id', type: 'bigint' })
  randomId!: string;

  @Column({ name: 'telegram_message_id', type: 'bigint', nullable: true })
  telegramMessageId!: string | null;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'send_at', type: 'timestamptz', nullable: true })
  sendAt!: Date | null;

  /** Not to be tried before this (flood wait, slow mode, backoff). */
  @Column({ name: 'not_before', type: 'timestamptz', nullable: true })
  notBefore!: Date | null;

  /** When the last attempt started (pacing counts attempts). */
  @Column({ name: 'attempted_at', type: 'timestamptz', nullable: true })
  attemptedAt!: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'queued_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  queuedAt!: Date;

  /** The pg-boss job that currently stands for this message; any other job of it is stale. */
  @Column({ name: 'job_id', type: 'uuid', nullable: true })
  jobId!: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'request_hash', type: 'varchar', length: 64, nullable: true })
  requestHash!: string | null;
}
