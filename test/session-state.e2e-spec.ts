import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { standaloneDataSourceOptions } from '../src/standalone-data-source';
import { revertLastMigrationLocked, runMigrationsLocked } from '../src/database/migrator';
import { SessionTransitions } from '../src/telegram/accounts/session-transitions';
import { TelegramSessionRevokedError } from '../src/telegram/telegram.errors';
import type { TelegramSessionEntity } from '../src/telegram/accounts/telegram-session.entity';
import { bearer, openTestApp, type OpenedTestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';

const open = async (url: string) =>
  new DataSource(
    standaloneDataSourceOptions({ url, poolSize: 2, statementTimeoutMs: 60000, connectTimeoutMs: 5000 }),
  ).initialize();

/** Reverts the migrations after SessionStateColumns, then SessionStateColumns itself. */
async function revertThroughStateColumns(ds: DataSource): Promise<void> {
  for (;;) {
    const [last] = await ds.query<{ name: string }[]>(
      'SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1',
    );
    await revertLastMigrationLocked(ds);
    if (!last || last.name === 'SessionStateColumns1764200000000') return;
  }
}

describe('migration SessionStateColumns', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await open(db.url);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('backfills rows in the old shape into the columns and leaves only unknown keys in the bag; down restores the bag', async () => {
    await revertThroughStateColumns(ds); // back to the schema before the state columns
    const insert = async (phone: string | null, meta: Record<string, unknown>, active: boolean) => {
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO telegram_sessions (user_id, phone, session_data, session_metadata, is_active)
         VALUES (7, $1, '{}', $2, $3) RETURNING id`,
        [phone, meta, active],
      );
      return row.id;
    };
    const connectedMeta = {
      status: 'connected',
      method: 'phone_code',
      telegram_user_id: '7000021234',
      username: 'emu9996621234',
      first_name: 'Elif',
      last_name: null,
      dc_id: 2,
      connected_at: '2026-11-25T10:00:00.000Z',
      last_connected_at: '2026-11-25T10:05:00.000Z',
      last_error: null,
    };
    const connected = await insert('+9996621234', { ...connectedMeta, note: 'kept' }, true);
    const pending = await insert(
      '+9996611234',
      {
        status: 'code_sent',
        method: 'phone_code',
        dc_id: 1,
        code_via_app: true,
        login_expires_at: '2026-11-25T10:10:00.000Z',
      },
      false,
    );
    const qr = await insert(
      null,
      {
        status: 'qr_pending',
        method: 'qr',
        dc_id: 1,
        login_expires_at: '2026-11-25T10:10:00.000Z',
        qr_expires_at: '2026-11-25T10:00:30.000Z',
      },
      false,
    );
    const revoked = await insert(
      '+9996631234',
      {
        status: 'revoked',
        method: 'qr',
        telegram_user_id: '7000031234',
        last_error: 'AUTH_KEY_UNREGISTERED',
        last_error_at: '2026-11-26T08:00:00+00:00',
        revoked_at: '2026-11-26T08:00:00Z',
      },
      false,
    );
    const garbage = await insert(
      '+9996611111',
      { status: 'weird', method: 'sms', dc_id: 'two', telegram_user_id: 'abc', connected_at: 'yesterday' },
      true,
    );
    const empty = await insert('+9996611112', {}, false);

    await runMigrationsLocked(ds);

    const rows = await db.query(
      `SELECT id, status, login_method, telegram_user_id, username, first_name, last_name, dc_id, code_via_app,
              login_expires_at, qr_expires_at, last_error, last_error_at, connected_at, last_connected_at,
              revoked_at, session_metadata FROM telegram_sessions`,
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id as string, r]));
    expect(byId[connected]).toMatchObject({
      status: 'connected',
      login_method: 'phone_code',
      telegram_user_id: '7000021234',
      username: 'emu9996621234',
      first_name: 'Elif',
      last_name: null,
      dc_id: 2,
      connected_at: new Date('2026-11-25T10:00:00.000Z'),
      last_connected_at: new Date('2026-11-25T10:05:00.000Z'),
      last_error: null,
      session_metadata: { note: 'kept' },
    });
    expect(byId[pending]).toMatchObject({
      status: 'code_sent',
      dc_id: 1,
      code_via_app: true,
      login_expires_at: new Date('2026-11-25T10:10:00.000Z'),
      session_metadata: {},
    });
    expect(byId[qr]).toMatchObject({
      status: 'qr_pending',
      login_method: 'qr',
      qr_expires_at: new Date('2026-11-25T10:00:30.000Z'),
    });
    expect(byId[revoked]).toMatchObject({
      status: 'revoked',
      last_error: 'AUTH_KEY_UNREGISTERED',
      last_error_at: new Date('2026-11-26T08:00:00Z'),
      revoked_at: new Date('2026-11-26T08:00:00Z'),
    });
    // Values that do not parse become NULL; an unknown status falls back on is_active.
    expect(byId[garbage]).toMatchObject({
      status: 'connected',
      login_method: null,
      dc_id: null,
      telegram_user_id: null,
      connected_at: null,
      session_metadata: {},
    });
    expect(byId[empty]).toMatchObject({ status: 'disconnected', session_metadata: {} });

    await expect(
      db.query(`UPDATE telegram_sessions SET status = 'weird' WHERE id = $1`, [connected]),
    ).rejects.toThrow(/chk_telegram_sessions_status/);
    await expect(
      db.query(`UPDATE telegram_sessions SET login_method = 'sms' WHERE id = $1`, [connected]),
    ).rejects.toThrow(/chk_telegram_sessions_login_method/);

    // Down puts the facts back into the bag in the shape the service wrote them.
    await revertThroughStateColumns(ds);
    const [back] = await db.query<{ session_metadata: Record<string, unknown> }>(
      'SELECT session_metadata FROM telegram_sessions WHERE id = $1',
      [connected],
    );
    expect(back.session_metadata).toEqual({ ...connectedMeta, note: 'kept' });
    await runMigrationsLocked(ds);
  });

  it('the repository lookups use the new indexes (EXPLAIN on 30,000 rows)', async () => {
    await db.query('TRUNCATE telegram_sessions');
    await db.query(
      `INSERT INTO telegram_sessions (user_id, phone, session_data, status, login_method, telegram_user_id, is_active, created_at)
       SELECT u, '+99966' || lpad((u * 10 + i)::text, 5, '0'), '{}',
              CASE WHEN i = 1 THEN 'code_sent' ELSE 'connected' END, 'phone_code',
              CASE WHEN i = 1 THEN NULL ELSE 7000000000 + u * 10 + i END, i <> 1, now() - make_interval(mins => i)
         FROM generate_series(1, 3000) AS u, generate_series(1, 10) AS i`,
    );
    await db.query('ANALYZE telegram_sessions');
    const plan = async (sql: string) =>
      (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).map((r) => r['QUERY PLAN']).join('\n');

    const newestPending = await plan(
      `SELECT * FROM telegram_sessions WHERE user_id = 42 AND phone = '+9996600421' AND is_active = false
         AND status IN ('code_sent', '2fa_required') ORDER BY created_at DESC, id DESC LIMIT 1`,
    );
    expect(newestPending).toContain('idx_telegram_sessions_pending');
    const expired = await plan(
      `DELETE FROM telegram_sessions WHERE user_id = 42 AND is_active = false
         AND status IN ('qr_pending', 'code_sent', '2fa_required') AND login_expires_at < now()`,
    );
    expect(expired).toContain('idx_telegram_sessions_pending');
    const others = await plan(
      `SELECT id FROM telegram_sessions WHERE user_id = 42 AND telegram_user_id = 7000000425
         AND id <> '00000000-0000-0000-0000-000000000000'`,
    );
    expect(others).toContain('idx_telegram_sessions_user_telegram_user');
  });
});

describe('session transitions: the state change and its audit row commit together', () => {
  let t: OpenedTestApp;
  let transitions: SessionTransitions;
  const userId = 501;

  const auditRows = (sessionId: string) =>
    t.db.query<{ action: string; status: string }>(
      `SELECT action, status FROM integration_logs WHERE details->>'session_id' = $1 ORDER BY created_at, id`,
      [sessionId],
    );
  const codeSent = () =>
    transitions.codeSent(userId, {
      id: randomUUID(),
      phone: '+9996611234',
      sessionData: { stand_in: 'ciphertext' },
      dcId: 1,
      codeViaApp: true,
      loginExpiresAt: new Date(Date.now() + 60_000),
    });
  const user = { id: '7000011234', username: 'emu', firstName: 'Elif', lastName: null, phone: '9996611234' };
  const connect = (row: TelegramSessionEntity) =>
    transitions.connected(
      userId,
      row,
      { sessionData: { stand_in: 'signed-in' }, user, dcId: 1 },
      'phone_code',
      (s) => [
        transitions.step(userId, 'sign_in', 'success', { session_id: s.id, phone: s.phone, dc_id: s.dcId }),
      ],
    );

  beforeAll(async () => {
    t = await openTestApp({ RATE_LIMIT_ENABLED: 'false' });
    transitions = t.app.get(SessionTransitions, { strict: false });
  });
  afterAll(() => t.close());

  it('codeSent and connected: the row and its audit row, as stored; the response maps the columns', async () => {
    const row = await codeSent();
    expect(row).toMatchObject({ status: 'code_sent', isActive: false, dcId: 1, codeViaApp: true });
    expect(await auditRows(row.id)).toEqual([{ action: 'send_code', status: 'success' }]);

    const { row: connected, replaced } = await connect(row);
    expect(connected).toMatchObject({ status: 'connected', isActive: true, telegramUserId: '7000011234' });
    expect(replaced).toEqual([]);
    expect(await auditRows(row.id)).toEqual([
      { action: 'send_code', status: 'success' },
      { action: 'sign_in', status: 'success' },
    ]);
    const res = await t.inject({
      url: `/api/v1/telegram/accounts/${row.id}`,
      headers: bearer(t.token(userId)),
    });
    expect(res.json().session_metadata).toEqual({
      status: 'connected',
      method: 'phone_code',
      telegram_user_id: '7000011234',
      username: 'emu',
      first_name: 'Elif',
      last_name: null,
      dc_id: 1,
      connected_at: connected.connectedAt?.toISOString(),
      last_connected_at: connected.lastConnectedAt?.toISOString(),
      last_error: null,
    });
  });

  it('when the audit row cannot be written, the state change is rolled back with it', async () => {
    const row = await codeSent();
    await t.db.query(`
      CREATE FUNCTION refuse_sign_in() RETURNS trigger AS $$
      BEGIN
        IF NEW.action = 'sign_in' THEN RAISE EXCEPTION 'audit refused by the test'; END IF;
        RETURN NEW;
      END; $$ LANGUAGE plpgsql`);
    await t.db.query(
      `CREATE TRIGGER refuse_sign_in BEFORE INSERT ON integration_logs FOR EACH ROW EXECUTE FUNCTION refuse_sign_in()`,
    );
    try {
      await expect(connect(row)).rejects.toThrow(/audit refused by the test/);
    } finally {
      await t.db.query('DROP TRIGGER refuse_sign_in ON integration_logs');
      await t.db.query('DROP FUNCTION refuse_sign_in()');
    }
    const [stored] = await t.db.query(
      'SELECT status, is_active, session_data FROM telegram_sessions WHERE id = $1',
      [row.id],
    );
    expect(stored).toEqual({
      status: 'code_sent',
      is_active: false,
      session_data: { stand_in: 'ciphertext' },
    });
    expect(await auditRows(row.id)).toEqual([{ action: 'send_code', status: 'success' }]);
  });

  it('when the state change is refused (the row moved on meanwhile), no audit row is written', async () => {
    const row = await codeSent();
    await t.db.query(`UPDATE telegram_sessions SET status = 'disconnected' WHERE id = $1`, [row.id]);
    await expect(connect(row)).rejects.toMatchObject({ code: 'session_changed', kind: 'conflict' });
    expect(await auditRows(row.id)).toEqual([{ action: 'send_code', status: 'success' }]);
  });

  it('a new login of the same Telegram account removes the older row in the same transaction', async () => {
    const first = (await connect(await codeSent())).row;
    const second = await connect(await codeSent());
    expect(second.replaced.map((r) => r.id)).toEqual([first.id]);
    expect(await t.db.query('SELECT id FROM telegram_sessions WHERE id = $1', [first.id])).toEqual([]);
  });

  it('revoked and disconnected wipe the secret and record why', async () => {
    const revokedRow = (await connect(await codeSent())).row;
    const revoked = await transitions.reconnectFailed(
      userId,
      revokedRow,
      new TelegramSessionRevokedError('SESSION_REVOKED'),
    );
    expect(revoked).toMatchObject({
      status: 'revoked',
      isActive: false,
      sessionData: {},
      lastError: 'SESSION_REVOKED',
    });
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    expect(await auditRows(revokedRow.id)).toEqual([
      { action: 'send_code', status: 'success' },
      { action: 'sign_in', status: 'success' },
      { action: 'reconnect', status: 'error' },
    ]);

    const { row } = await connect(await codeSent());
    const disconnected = await transitions.disconnected(userId, row, { loggedOut: true });
    expect(disconnected).toMatchObject({ status: 'disconnected', isActive: false, sessionData: {} });
    expect(disconnected.disconnectedAt).toBeInstanceOf(Date);
    expect((await auditRows(row.id)).map((r) => r.action)).toEqual(['send_code', 'sign_in', 'disconnect']);
  });
});
