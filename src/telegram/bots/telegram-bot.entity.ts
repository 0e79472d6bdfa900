import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';
import { registerSecretColumns } from '../../vault/secret-columns';
import type { EncryptedEnvelope } from '../accounts/telegram-session.entity';

@Entity('telegram_bots')
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

  @Column({ type: 'varchar', length: 50 })
  username!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  settings!: Record<string, unknown>;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;
}

/** `npm run secrets:rewrap` rewraps and migrates the tokens with every other registered secret. */
registerSecretColumns({ table: 'telegram_bots', column: 'bot_token' });
