import { MigrationInterface, QueryRunner } from 'typeorm';

/** The keys of `session_metadata` that become columns, with the column each one moves to. */
const MOVED_KEYS = [
  'status',
  'method',
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
];

/** The same, by column name. */
const MOVED_COLUMNS = MOVED_KEYS.map((key) => (key === 'method' ? 'login_method' : key));

const STATUSES = `'qr_pending', 'code_sent', '2fa_required', 'connected', 'disconnected', 'revoked', 'error'`;
const PENDING = `'qr_pending', 'code_sent', '2fa_required'`;

/** An ISO-8601 instant from the JSON bag, or NULL when the value is missing or not one. */
const instant = (key: string) =>
  `CASE WHEN session_metadata->>'${key}' ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?(Z|[+-]\\d\\d(:?\\d\\d)?)$'
        THEN (session_metadata->>'${key}')::timestamptz END`;

/** An instant as the service wrote it into the bag (`Date.toISOString()`), for `down`. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A session's state moves out of the `session_metadata` JSONB bag into typed columns: `status`
 * (CHECK over the documented states, NOT NULL, DEFAULT 'connected' like is_active's TRUE), `login_method`, `telegram_user_id BIGINT`, the
 * profile, `dc_id`, `last_error`, and the instants of the lifecycle. Each row is backfilled from its
 * bag (a value that does not parse becomes NULL; a row without a known status becomes `connected`
 * when active, else `disconnected`), and the moved keys are removed from the bag, so there is one
 * copy of each fact. The bag itself stays (SPEC §3, with its GIN index) for facts that have no column.
 *
 * Indexes, for the queries AccountsRepository sends (EXPLAIN on 200,000 rows / 2,000 users: each
 * lookup below is an index scan of a few rows instead of a bitmap scan over the user's rows):
 * - pending logins — the newest of a (user, phone), the QR login waiting for its password (phone
 *   IS NULL), a new code dropping the older ones, expired-login housekeeping — all filter on user_id
 *   and a pending status and order by (created_at, id): a partial b-tree over pending rows only
 *   (they are few and short-lived, so it stays tiny and costs nothing to connected rows);
 * - the other rows of the same Telegram account (a new login replaces them): (user_id,
 *   telegram_user_id), partial on telegram_user_id IS NOT NULL.
 * The list route keeps idx_telegram_sessions_user_id. The table is small (one row per account), so
 * the indexes are built in the migration's transaction rather than CONCURRENTLY.
 *
 * Deploying: replicas of the previous version write the state into the bag only and would fail the
 * NOT NULL on `status`; roll out by replacing them (not side by side with this schema).
 */
export class SessionStateColumns1764200000000 implements MigrationInterface {
  name = 'SessionStateColumns1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE telegram_sessions
        ADD COLUMN status VARCHAR(20),
        ADD COLUMN login_method VARCHAR(20),
        ADD COLUMN telegram_user_id BIGINT,
        ADD COLUMN username VARCHAR(64),
        ADD COLUMN first_name VARCHAR(128),
        ADD COLUMN last_name VARCHAR(128),
        ADD COLUMN dc_id SMALLINT,
        ADD COLUMN code_via_app BOOLEAN,
        ADD COLUMN login_expires_at TIMESTAMPTZ,
        ADD COLUMN qr_expires_at TIMESTAMPTZ,
        ADD COLUMN last_error VARCHAR(100),
        ADD COLUMN last_error_at TIMESTAMPTZ,
        ADD COLUMN connected_at TIMESTAMPTZ,
        ADD COLUMN last_connected_at TIMESTAMPTZ,
        ADD COLUMN disconnected_at TIMESTAMPTZ,
        ADD COLUMN revoked_at TIMESTAMPTZ`);

    await q.query(
      `
      UPDATE telegram_sessions SET
        status = CASE
          WHEN session_metadata->>'status' IN (${STATUSES}) THEN session_metadata->>'status'
          WHEN is_active THEN 'connected'
          ELSE 'disconnected' END,
        login_method = CASE WHEN session_metadata->>'method' IN ('phone_code', 'qr')
          THEN session_metadata->>'method' END,
        telegram_user_id = CASE WHEN session_metadata->>'telegram_user_id' ~ '^-?\\d{1,18}$'
          THEN (session_metadata->>'telegram_user_id')::bigint END,
        username = left(session_metadata->>'username', 64),
        first_name = left(session_metadata->>'first_name', 128),
        last_name = left(session_metadata->>'last_name', 128),
        dc_id = CASE WHEN session_metadata->>'dc_id' ~ '^\\d{1,4}$'
          THEN (session_metadata->>'dc_id')::smallint END,
        code_via_app = CASE WHEN jsonb_typeof(session_metadata->'code_via_app') = 'boolean'
          THEN (session_metadata->'code_via_app')::boolean END,
        login_expires_at = ${instant('login_expires_at')},
        qr_expires_at = ${instant('qr_expires_at')},
        last_error = left(session_metadata->>'last_error', 100),
        last_error_at = ${instant('last_error_at')},
        connected_at = ${instant('connected_at')},
        last_connected_at = ${instant('last_connected_at')},
        disconnected_at = ${instant('disconnected_at')},
        revoked_at = ${instant('revoked_at')},
        session_metadata = session_metadata - $1::text[]`,
      [MOVED_KEYS],
    );

    // The service always names the state; the default serves rows inserted by hand (scripts,
    // tests) the way `is_active DEFAULT TRUE` does: a row holding just a session is a connected one.
    await q.query(`ALTER TABLE telegram_sessions ALTER COLUMN status SET DEFAULT 'connected'`);
    await q.query(`ALTER TABLE telegram_sessions ALTER COLUMN status SET NOT NULL`);
    await q.query(
      `ALTER TABLE telegram_sessions ADD CONSTRAINT chk_telegram_sessions_status CHECK ("status" IN (${STATUSES}))`,
    );
    await q.query(
      `ALTER TABLE telegram_sessions ADD CONSTRAINT chk_telegram_sessions_login_method CHECK ("login_method" IN ('phone_code', 'qr'))`,
    );
    await q.query(
      `CREATE INDEX idx_telegram_sessions_pending ON telegram_sessions (user_id, phone, created_at, id)
         WHERE status IN (${PENDING})`,
    );
    await q.query(
      `CREATE INDEX idx_telegram_sessions_user_telegram_user ON telegram_sessions (user_id, telegram_user_id)
         WHERE telegram_user_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // The columns go back into the bag, in the shape the service wrote them.
    await q.query(`
      UPDATE telegram_sessions SET session_metadata = session_metadata || jsonb_strip_nulls(jsonb_build_object(
          'status', status,
          'method', login_method,
          'telegram_user_id', telegram_user_id::text,
          'username', username,
          'first_name', first_name,
          'last_name', last_name,
          'dc_id', dc_id,
          'code_via_app', code_via_app,
          'login_expires_at', ${iso('login_expires_at')},
          'qr_expires_at', ${iso('qr_expires_at')},
          'last_error', last_error,
          'last_error_at', ${iso('last_error_at')},
          'connected_at', ${iso('connected_at')},
          'last_connected_at', ${iso('last_connected_at')},
          'disconnected_at', ${iso('disconnected_at')},
          'revoked_at', ${iso('revoked_at')}))
        || CASE WHEN telegram_user_id IS NOT NULL
             THEN jsonb_build_object('username', username, 'first_name', first_name, 'last_name', last_name)
             ELSE '{}'::jsonb END
        || CASE WHEN connected_at IS NOT NULL AND last_error IS NULL
             THEN '{"last_error": null}'::jsonb ELSE '{}'::jsonb END`);
    await q.query(`DROP INDEX IF EXISTS idx_telegram_sessions_user_telegram_user`);
    await q.query(`DROP INDEX IF EXISTS idx_telegram_sessions_pending`);
    await q.query(`
      ALTER TABLE telegram_sessions
        DROP CONSTRAINT IF EXISTS chk_telegram_sessions_login_method,
        DROP CONSTRAINT IF EXISTS chk_telegram_sessions_status,
        ${MOVED_COLUMNS.map((column) => `DROP COLUMN IF EXISTS ${column}`).join(',\n        ')}`);
  }
}
