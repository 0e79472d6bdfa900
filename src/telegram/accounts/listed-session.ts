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

type ListedColumn = (typeof LISTED_COLUMNS)[number];

/** Each listed column's position in a row read as values (`poolQueryValues`). */
const AT = Object.fromEntries(LISTED_COLUMNS.map((column, index) => [column, index])) as Record<
  ListedColumn,
  number
>;

/** A row read by name, as the values of the list query's columns in their order. */
export function listedValues(row: ListedSessionRow): unknown[] {
  return LISTED_COLUMNS.map((column) => row[column]);
}

/**
 * A row of the list query as an entity (without `session_data`). Set field by field on the new
 * entity (whose own fields it already defines): `Object.assign` with a second object per row cost
 * five times as much on the list route (20 rows per request in `npm run bench`).
 */
export function listedEntity(values: unknown[]): TelegramSessionEntity {
  const entity = new TelegramSessionEntity();
  entity.id = values[AT.id] as string;
  entity.createdAt = values[AT.created_at] as Date;
  entity.updatedAt = values[AT.updated_at] as Date;
  entity.userId = values[AT.user_id] as number;
  entity.phone = values[AT.phone] as string | null;
  entity.extraMetadata = values[AT.session_metadata] as Record<string, unknown>;
  entity.isActive = values[AT.is_active] as boolean;
  entity.status = values[AT.status] as SessionStatus;
  entity.loginMethod = values[AT.login_method] as SessionLoginMethod | null;
  entity.telegramUserId = values[AT.telegram_user_id] as string | null;
  entity.username = values[AT.username] as string | null;
  entity.firstName = values[AT.first_name] as string | null;
  entity.lastName = values[AT.last_name] as string | null;
  entity.dcId = values[AT.dc_id] as number | null;
  entity.codeViaApp = values[AT.code_via_app] as boolean | null;
  entity.loginExpiresAt = date(values[AT.login_expires_at]);
  entity.qrExpiresAt = date(values[AT.qr_expires_at]);
  entity.lastError = values[AT.last_error] as string | null;
  entity.lastErrorAt = date(values[AT.last_error_at]);
  entity.connectedAt = date(values[AT.connected_at]);
  entity.lastConnectedAt = date(values[AT.last_connected_at]);
  entity.disconnectedAt = date(values[AT.disconnected_at]);
  entity.revokedAt = date(values[AT.revoked_at]);
  return entity;
}

function date(value: unknown): Date | null {
  return value === null ? null : (value as Date);
}
