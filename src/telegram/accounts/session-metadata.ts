import type { SessionLoginMethod, SessionStatus, TelegramSessionEntity } from './telegram-session.entity';

/**
 * The public `session_metadata` of an account (HTTP contract): safe, descriptive facts about a
 * session — never a secret. Built from the row's columns by `toSessionMetadata`, key by key.
 */
export interface SessionMetadata {
  status: SessionStatus;
  /** How the session was (or is being) logged in. */
  method?: SessionLoginMethod;
  /** Telegram's user id, as a decimal string (64-bit). */
  telegram_user_id?: string;
  username?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  dc_id?: number;
  /** Pending phone logins: the code came in the Telegram app (else by SMS). */
  code_via_app?: boolean;
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
}

/** The columns the metadata is built from (a whole entity, or a row read without `session_data`). */
export type SessionState = Pick<
  TelegramSessionEntity,
  | 'status'
  | 'loginMethod'
  | 'telegramUserId'
  | 'username'
  | 'firstName'
  | 'lastName'
  | 'dcId'
  | 'codeViaApp'
  | 'loginExpiresAt'
  | 'qrExpiresAt'
  | 'lastError'
  | 'lastErrorAt'
  | 'connectedAt'
  | 'lastConnectedAt'
  | 'disconnectedAt'
  | 'revokedAt'
>;

/**
 * The one mapper from columns to `session_metadata`. A key is present when its column holds a value,
 * as the service always wrote it, with two keys kept as explicit nulls where clients saw them: the
 * profile (`username`, `first_name`, `last_name`) once Telegram said whose account it is, and
 * `last_error` once the session has been connected.
 */
export function toSessionMetadata(s: SessionState): SessionMetadata {
  const meta: SessionMetadata = { status: s.status };
  if (s.loginMethod !== null) meta.method = s.loginMethod;
  if (s.telegramUserId !== null) {
    meta.telegram_user_id = String(s.telegramUserId);
    meta.username = s.username;
    meta.first_name = s.firstName;
    meta.last_name = s.lastName;
  }
  if (s.dcId !== null) meta.dc_id = s.dcId;
  if (s.codeViaApp !== null) meta.code_via_app = s.codeViaApp;
  if (s.connectedAt !== null) meta.connected_at = s.connectedAt.toISOString();
  if (s.lastConnectedAt !== null) meta.last_connected_at = s.lastConnectedAt.toISOString();
  if (s.lastError !== null || s.connectedAt !== null) meta.last_error = s.lastError;
  if (s.lastErrorAt !== null) meta.last_error_at = s.lastErrorAt.toISOString();
  if (s.loginExpiresAt !== null) meta.login_expires_at = s.loginExpiresAt.toISOString();
  if (s.qrExpiresAt !== null) meta.qr_expires_at = s.qrExpiresAt.toISOString();
  if (s.disconnectedAt !== null) meta.disconnected_at = s.disconnectedAt.toISOString();
  if (s.revokedAt !== null) meta.revoked_at = s.revokedAt.toISOString();
  return meta;
}
