import {
  TelegramSessionEntity,
  type SessionLoginMethod,
  type SessionStatus,
} from './telegram-session.entity';

/** The columns of the list route: everything but `session_data`. */
export const LISTED_COLUMNS = [
  'id',
  'created_at',
  'updated_at',
  'user_id',
  'phone',
  'session_metadata',
  'is_active',
  'status',
  'login_method',
  'telegram_user_id',
  'username',
  'first_name',
  'last_name',
  'dc_id',
  'code_via_app',
  'login_expires_at',
  'qr_expires_at',
  'last_error',
  'last_error_at',
  'connected_at',
  'last_connected_at',
  'disconnected_at',
  'revoked_at',
] as const;

/** The list route's SQL ($1 = the user id); the benchmark's raw baseline sends the same text. */
export function listSessionsSql(activeOnly: boolean): string {
  return (
    `SELECT ${LISTED_COLUMNS.join(', ')} FROM telegram_sessions ` +
    `WHERE user_id = $1${activeOnly ? ' AND is_active' : ''} ORDER BY created_at DESC, id DESC`
  );
}

export type ListedSessionRow = Record<(typeof LISTED_COLUMNS)[number], unknown>;

/**
 * A row of the list query as an entity (without `session_data`). Set field by field on the new
 * entity (whose own fields it already defines): `Object.assign` with a second object per row cost
 * five times as much on the list route (20 rows per request in `npm run bench`).
 */
export function listedEntity(row: ListedSessionRow): TelegramSessionEntity {
  const entity = new TelegramSessionEntity();
  entity.id = row.id as string;
  entity.createdAt = row.created_at as Date;
  entity.updatedAt = row.updated_at as Date;
  entity.userId = row.user_id as number;
  entity.phone = row.phone as string | null;
  entity.extraMetadata = row.session_metadata as Record<string, unknown>;
  entity.isActive = row.is_active as boolean;
  entity.status = row.status as SessionStatus;
  entity.loginMethod = row.login_method as SessionLoginMethod | null;
  entity.telegramUserId = row.telegram_user_id as string | null;
  entity.username = row.username as string | null;
  entity.firstName = row.first_name as string | null;
  entity.lastName = row.last_name as string | null;
  entity.dcId = row.dc_id as number | null;
  entity.codeViaApp = row.code_via_app as boolean | null;
  entity.loginExpiresAt = date(row.login_expires_at);
  entity.qrExpiresAt = date(row.qr_expires_at);
  entity.lastError = row.last_error as string | null;
  entity.lastErrorAt = date(row.last_error_at);
  entity.connectedAt = date(row.connected_at);
  entity.lastConnectedAt = date(row.last_connected_at);
  entity.disconnectedAt = date(row.disconnected_at);
  entity.revokedAt = date(row.revoked_at);
  return entity;
}

function date(value: unknown): Date | null {
  return value === null ? null : (value as Date);
}
