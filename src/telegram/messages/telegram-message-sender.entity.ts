import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';

/**
 * A sender (account or bot row id) as the queue sees it: rested after PEER_FLOOD or while a FLOOD_WAIT
 * lasts, and leased to the one process that keeps its GramJS client.
 */
@Entity('telegram_message_senders')
@Index('uq_telegram_message_senders_sender', ['senderId'], { unique: true })
export class TelegramMessageSenderEntity extends BaseEntity {
  @Column({ name: 'sender_id', type: 'uuid' })
  senderId!: string;

  @Column({ name: 'paused_until', type: 'timestamptz', nullable: true })
  pausedUntil!: Date | null;

  @Column({ name: 'pause_reason', type: 'varchar', length: 64, nullable: true })
  pauseReason!: string | null;

  /** The process (SendQueue.instanceId) that sends for this sender while its lease lasts. */
  @Column({ name: 'owner_id', type: 'varchar', length: 64, nullable: true })
  ownerId!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;
}
