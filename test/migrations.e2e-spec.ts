import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { revertLastMigrationLocked, runMigrationsLocked } from '../src/database/migrator';
import { pendingSchemaChanges } from '../src/database/schema-diff';
import { ALL_ENTITIES, standaloneDataSourceOptions } from '../src/standalone-data-source';
import { startTestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';

const open = async (url: string) => {
  const ds = new DataSource(
    standaloneDataSourceOptions({ url, poolSize: 3, statementTimeoutMs: 60000, connectTimeoutMs: 5000 }),
  );
  return ds.initialize();
};

describe('migrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('the entities and the migrations agree: generating a migration yields nothing', async () => {
    const ds = await open(db.url);
    try {
      const { up } = await pendingSchemaChanges(ds);
      expect(up).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it("the app's feature modules register exactly the entities the standalone data source names", async () => {
    const t = await startTestApp(db.url, { RATE_LIMIT_ENABLED: 'false' });
    try {
      const loaded = t.app.get(DataSource).entityMetadatas.map((m) => m.target);
      expect(new Set(loaded)).toEqual(new Set(ALL_ENTITIES));
      expect(loaded).toHaveLength(ALL_ENTITIES.length);
    } finally {
      await t.close();
    }
  });

  it('creates the SPEC columns, CHECKs, indexes and updated_at triggers', async () => {
    const indexes = await db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`,
    );
    const byName = Object.fromEntries(indexes.map((i) => [i.indexname, i.indexdef]));
    expect(byName.idx_telegram_sessions_user_id).toContain('(user_id)');
    expect(byName.idx_telegram_sessions_phone).toContain('(phone)');
    expect(byName.idx_telegram_sessions_metadata).toContain('USING gin (session_metadata)');
    expect(byName.idx_telegram_sessions_active).toMatch(/WHERE is_active/);
    expect(byName.idx_integration_logs_user_type_created).toContain(
      '(user_id, integration_type, created_at, id) INCLUDE (status)',
    );
    expect(byName.idx_integration_logs_user_created_status).toContain(
      '(user_id, created_at) INCLUDE (status)',
    );
    const triggers = await db.query<{ tgname: string }>(
      `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`,
    );
    expect(triggers.map((t) => t.tgname)).toEqual([
      'trg_api_keys_updated_at',
      'trg_integration_events_updated_at',
      'trg_integration_logs_late_commit',
      'trg_integration_logs_updated_at',
      'trg_telegram_bots_updated_at',
      'trg_telegram_channel_senders_updated_at',
      'trg_telegram_channels_updated_at',
      'trg_telegram_message_files_updated_at',
      'trg_telegram_message_senders_updated_at',
      'trg_telegram_messages_updated_at',
      'trg_telegram_sessions_updated_at',
    ]);
    await expect(
      db.query(
        `INSERT INTO telegram_channels (user_id, channel_id, title, type) VALUES (1, 1, 't', 'forum')`,
      ),
    ).rejects.toThrow(/chk_telegram_channels_type/);
    await expect(
      db.query(
        `INSERT INTO integration_logs (user_id, integration_type, action, status) VALUES (1, 'telegram', 'x', 'done')`,
      ),
    ).rejects.toThrow(/chk_integration_logs_status/);
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO integration_logs (user_id, integration_type, action, status) VALUES (1, 'telegram', 'x', 'success') RETURNING id`,
    );
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('revert then run again restores the schema; concurrent runners apply each migration once', async () => {
    const scratch = await createTestDatabase();
    const a = await open(scratch.url);
    const b = await open(scratch.url);
    try {
      for (const _ of MIGRATIONS) await revertLastMigrationLocked(a);
      const tables = await scratch.query(
        `SELECT 1 FROM information_schema.tables WHERE table_name = 'telegram_sessions'`,
      );
      expect(tables).toHaveLength(0);
      const [ranA, ranB] = await Promise.all([runMigrationsLocked(a), runMigrationsLocked(b)]);
      expect(ranA.length + ranB.length).toBe(MIGRATIONS.length);
      const applied = await scratch.query(`SELECT name FROM typeorm_migrations`);
      expect(applied).toHaveLength(MIGRATIONS.length);
      expect((await pendingSchemaChanges(a)).up).toEqual([]);
    } finally {
      await a.destroy();
      await b.destroy();
      await scratch.drop();
    }
  });
});
