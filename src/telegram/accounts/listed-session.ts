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

/** A row of the list query as an entity (without `session_data`). */
export function listedEntity(row: ListedSessionRow): TelegramSessionEntity {
  const date = (value: unknown) => (value === null ? null : (value as Date));
  return Object.assign(new TelegramSessionEntity(), {
    id: row.id as string,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    userId: row.user_id as number,
    phone: row.phone as string | null,
    extraMetadata: row.session_metadata as Record<string, unknown>,
    isActive: row.is_active as boolean,
    status: row.status as SessionStatus,
    loginMethod: row.login_method as SessionLoginMethod | null,
    telegramUserId: row.telegram_user_id as string | null,
    username: row.username as string | null,
    firstName: row.first_name as string | null,
    lastName: row.last_name as string | null,
    dcId: row.dc_id as number | null,
    codeViaApp: row.code_via_app as boolean | null,
    loginExpiresAt: date(row.login_expires_at),
    qrExpiresAt: date(row.qr_expires_at),
    lastError: row.last_error as string | null,
    lastErrorAt: date(row.last_error_at),
    connectedAt: date(row.connected_at),
    lastConnectedAt: date(row.last_connected_at),
    disconnectedAt: date(row.disconnected_at),
    revokedAt: date(row.revoked_at),
  });
}
