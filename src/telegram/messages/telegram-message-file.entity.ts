import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';

/** A message's media file, kept in PostgreSQL (shared by every replica) until sent or cancelled. */
@Entity('telegram_message_files')
@Index('uq_telegram_message_files_message', ['messageId'], { unique: true })
export class TelegramMessageFileEntity extends BaseEntity {
  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ type: 'bytea' })
  content!: Buffer;
}
