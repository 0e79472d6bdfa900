import { Check, Column, Entity, Index } from 'typeorm';
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

export const LOGIN_METHODS = ['phone_code', 'qr', 'import'] as const;
/** How a session was (or is being) logged in. */
export type SessionLoginMethod = (typeof LOGIN_METHODS)[number];

/**
 * `session_data`: a SecretEnvelope (cipher name, key, key version, ciphertext) or `{}` once wiped.
 * The plaintext inside is JSON `{"session": StringSession, "phone_code_hash"?, "qr_token"?}` bound to
 * the owning user id (see accounts/session-secrets.ts).
 */
export type EncryptedEnvelope = Record<string, unknown>;

/**
 * One Telegram session of a platform user: a login in progress or a signed-in account. Its state is
 * in typed columns (migration SessionStateColumns); only AccountsRepository's named transitions
 * change them, and AccountResponseDto builds the public `session_metadata` from them field by field.
 */
@Entity('telegram_sessions')
@Check(
  'chk_telegram_sessions_status',
  `"status" IN ('qr_pending', 'code_sent', '2fa_required', 'connected', 'disconnected', 'revoked', 'error')`,
)
@Check('chk_telegram_sessions_login_method', `"login_method" IN ('phone_code', 'qr', 'import')`)
// Partial indexes defined in migration SessionStateColumns (their WHERE clauses are beyond the schema diff).
@Index('idx_telegram_sessions_pending', { synchronize: false })
@Index('idx_telegram_sessions_user_telegram_user', { synchronize: false })
export class TelegramSessionEntity extends BaseEntity {
  @Index('idx_telegram_sessions_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Index('idx_telegram_sessions_phone')
  @Column({ type: 'varchar', length: 20, nullable: true })
  phone!: string | null;

  @Column({ name: 'session_data', type: 'jsonb' })
  sessionData!: EncryptedEnvelope;

  /**
   * SPEC §3's free-form JSONB (with its GIN index). Since migration SessionStateColumns the service
   * keeps nothing here — the state moved to the columns below — and it is never returned as is.
   */
  @Index('idx_telegram_sessions_metadata', { synchronize: false })
  @Column({ name: 'session_metadata', type: 'jsonb', default: () => "'{}'" })
  extraMetadata!: Record<string, unknown>;

  @Index('idx_telegram_sessions_active', { synchronize: false })
  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  /** The service always sets it; the default (like is_active's) is for rows inserted by hand. */
  @Column({ type: 'varchar', length: 20, default: 'connected' })
  status!: SessionStatus;

  @Column({ name: 'login_method', type: 'varchar', length: 20, nullable: true })
  loginMethod!: SessionLoginMethod | null;

  /** Telegram's user id (64-bit; TypeORM hands BIGINT over as a decimal string). */
  @Column({ name: 'telegram_user_id', type: 'bigint', nullable: true })
  telegramUserId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  username!: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 128, nullable: true })
  firstName!: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 128, nullable: true })
  lastName!: string | null;

  @Column({ name: 'dc_id', type: 'smallint', nullable: true })
  dcId!: number | null;

  /** Whether Telegram sent the pending login's code in the app (else by SMS). */
  @Column({ name: 'code_via_app', type: 'boolean', nullable: true })
  codeViaApp!: boolean | null;

  /** Pending logins only: after this instant the login must start again. */
  @Column({ name: 'login_expires_at', type: 'timestamptz', nullable: true })
  loginExpiresAt!: Date | null;

  /** QR logins: when the QR token shown last expires (a fresh one comes with the next poll). */
  @Column({ name: 'qr_expires_at', type: 'timestamptz', nullable: true })
  qrExpiresAt!: Date | null;

  /** Reason code of the last failure, e.g. `AUTH_KEY_UNREGISTERED`, `login_expired`. */
  @Column({ name: 'last_error', type: 'varchar', length: 100, nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_error_at', type: 'timestamptz', nullable: true })
  lastErrorAt!: Date | null;

  @Column({ name: 'connected_at', type: 'timestamptz', nullable: true })
  connectedAt!: Date | null;

  @Column({ name: 'last_connected_at', type: 'timestamptz', nullable: true })
  lastConnectedAt!: Date | null;

  @Column({ name: 'disconnected_at', type: 'timestamptz', nullable: true })
  disconnectedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}

/** `npm run secrets:rewrap` rewraps and migrates the sessions with every other registered secret. */
registerSecretColumns({ table: 'telegram_sessions', column: 'session_data' });
