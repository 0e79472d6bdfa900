import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';

/** A sender (account or bot row id) the queue rests: after PEER_FLOOD, or while a FLOOD_WAIT lasts. */
@Entity('telegram_message_senders')
@Index('uq_telegram_message_senders_sender', ['senderId'], { unique: true })
export class TelegramMessageSenderEntity extends BaseEntity {
  @Column({ name: 'sender_id', type: 'uuid' })
  senderId!: string;

  @Column({ name: 'paused_until', type: 'timestamptz', nullable: true })
  pausedUntil!: Date | null;

  @Column({ name: 'pause_reason', type: 'varchar', length: 64, nullable: true })
  pauseReason!: string | null;
}
