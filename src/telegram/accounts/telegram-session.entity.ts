import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';
import { registerSecretColumns } from '../../vault/secret-columns';

export const SESSION_STATUSES = [
  'qr_pending',
  'code_sent',
  '2fa_required',
  'connected',
  'disconnected',
  'revoked',
  'error',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** A login in progress: the row holds a not-yet-authorized session (is_active = false). */
export const PENDING_STATUSES: readonly SessionStatus[] = ['qr_pending', 'code_sent', '2fa_required'];

/** What `session_metadata` holds: safe, descriptive facts about a session — never a secret. */
export interface SessionMetadata {
  status?: SessionStatus;
  /** How the session was (or is being) logged in. */
  method?: 'phone_code' | 'qr';
  /** Telegram's user id, as a decimal string (64-bit). */
  telegram_user_id?: string;
  username?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  dc_id?: number;
  connected_at?: string;
  last_connected_at?: string;
  /** Reason code of the last failure, e.g. `AUTH_KEY_UNREGISTERED`, `login_expired`. */
  last_error?: string | null;
  last_error_at?: string;
  /** Pending logins only: after this instant the login must start again. */
  login_expires_at?: string;
  /** QR logins: when the QR token shown last expires (a fresh one comes with the next poll). */
  qr_expires_at?: string;
  disconnected_at?: string;
  revoked_at?: string;
  [key: string]: unknown;
}

/**
 * `session_data`: a SecretEnvelope (cipher name, key, key version, ciphertext) or `{}` once wiped.
 * The plaintext inside is JSON `{"session": StringSession, "phone_code_hash"?, "qr_token"?}` bound to
 * the owning user id (see accounts/session-secrets.ts).
 */
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

/** `npm run secrets:rewrap` rewraps and migrates the sessions with every other registered secret. */
registerSecretColumns({ table: 'telegram_sessions', column: 'session_data' });
