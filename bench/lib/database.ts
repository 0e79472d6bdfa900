import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { DatabaseConnectionSettings } from '../../src/database/data-source.options';
import { standaloneDataSourceOptions } from '../../src/standalone-data-source';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrationsLocked } from '../../src/database/migrator';
import { AccountsRepository } from '../../src/telegram/accounts/accounts.repository';
import { listSessionsSql } from '../../src/telegram/accounts/listed-session';
import { TelegramSessionEntity } from '../../src/telegram/accounts/telegram-session.entity';

/** The user whose accounts the benchmark lists, and how many active accounts it has. */
export const BENCH_USER_ID = 1;
export const BENCH_USER_ACCOUNTS = 20;

/** The accounts query the repository sends (checked at start), which the raw server sends too. */
export const ACCOUNTS_SQL = listSessionsSql(true);

export interface PostgresServer {
  /** A connection string to a maintenance database on the server (CREATE/DROP DATABASE run there). */
  adminUrl: string;
  source: string;
  /** The embedded server's data directory (holds postmaster.pid); undefined for DATABASE_URL. */
  dataDir?: string;
  stop(): Promise<void>;
}

/** DATABASE_URL's server when set, else the embedded PostgreSQL under `<root>/data/bench-postgres`. */
export async function startPostgres(root: string, databaseUrl: string | undefined): Promise<PostgresServer> {
  if (databaseUrl) {
    return {
      adminUrl: databaseUrl,
      source: `DATABASE_URL (${redact(databaseUrl)})`,
      stop: async () => undefined,
    };
  }
  const dir = join(root, 'data', 'bench-postgres');
  const embedded = await startEmbeddedPostgres(dir, 'integration_bench');
  return {
    adminUrl: embedded.url,
    source: `embedded PostgreSQL (${dir})`,
    dataDir: dir,
    stop: () => embedded.stop(),
  };
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, uniquely named database for this run; `drop()` removes it even with connections left open.
 * With `dropLeftovers` (the bench's own embedded server only), databases left by an interrupted run
 * — Ctrl-C stops the embedded server before the runner can drop its database — are dropped first.
 */
export async function createBenchDatabase(adminUrl: string, dropLeftovers: boolean): Promise<BenchDatabase> {
  const base = new URL(adminUrl).pathname.slice(1).replace(/\W/g, '_') || 'postgres';
  const prefix = (base.includes('bench') ? base : `${base}_bench`).slice(0, 54);
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, async (client) => {
    if (dropLeftovers) {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
      for (const { datname } of rows.filter((row) =>
        new RegExp(`^${prefix}_[0-9a-f]{8}$`).test(row.datname),
      )) {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    }
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
      ).then(() => undefined),
  };
}

export interface PreparedData {
  /** The SQL and parameters AccountsRepository.listForUser(BENCH_USER_ID, true) sent through TypeORM. */
  typeorm: { sql: string; parameters: unknown[] };
  /** Rows in the table, and the ids the accounts route must return, newest first. */
  totalRows: number;
  expectedIds: string[];
}

/**
 * Migrates the database with the service's own migrations, seeds `telegram_sessions` (the bench user's
 * 20 active accounts plus inactive ones and other users' rows, so the WHERE clause matters), and
 * records the SQL the real repository sends, checking that ACCOUNTS_SQL returns the same rows.
 */
export async function migrateAndSeed(settings: DatabaseConnectionSettings): Promise<PreparedData> {
  const dataSource = new DataSource(standaloneDataSourceOptions({ ...settings, poolSize: 2 }));
  await dataSource.initialize();
  try {
    await runMigrationsLocked(dataSource);
    await seed(dataSource);

    // The repository sends ACCOUNTS_SQL straight on the pool (listSessionsSql); check it lists the same rows.
    const repository = new AccountsRepository(dataSource.getRepository(TelegramSessionEntity));
    const entities = await repository.listForUser(BENCH_USER_ID, true);
    const sent = { query: ACCOUNTS_SQL, parameters: [BENCH_USER_ID] as unknown[] };
    const raw = (await dataSource.query(ACCOUNTS_SQL, [BENCH_USER_ID])) as { id: string }[];
    const expectedIds = entities.map((e) => e.id);
    if (JSON.stringify(raw.map((r) => r.id)) !== JSON.stringify(expectedIds)) {
      throw new Error('ACCOUNTS_SQL no longer returns what the repository returns: update it');
    }
    if (expectedIds.length !== BENCH_USER_ACCOUNTS) {
      throw new Error(
        `Seeded ${expectedIds.length} active accounts for the bench user, expected ${BENCH_USER_ACCOUNTS}`,
      );
    }
    const [{ count }] = (await dataSource.query('SELECT count(*)::int AS count FROM telegram_sessions')) as {
      count: number;
    }[];
    return { typeorm: { sql: sent.query, parameters: sent.parameters ?? [] }, totalRows: count, expectedIds };
  } finally {
    await dataSource.destroy();
  }
}

async function seed(dataSource: DataSource): Promise<void> {
  // users 1..51: user 1 has 20 active + 5 inactive accounts, every other user 8 active + 2 inactive.
  await dataSource.query(
    `INSERT INTO telegram_sessions (user_id, phone, session_data, status, login_method, telegram_user_id,
                                    username, first_name, dc_id, connected_at, last_connected_at,
                                    is_active, created_at, updated_at)
     SELECT u, '+1555' || lpad((u * 100 + i)::text, 7, '0'),
            jsonb_build_object('cipher', 'aes-256-gcm', 'key', 'local', 'key_version', 1,
                               'ciphertext', repeat(md5(u::text || '-' || i::text), 12)),
            CASE WHEN i <= active THEN 'connected' ELSE 'disconnected' END, 'phone_code',
            100200300 + u * 100 + i, 'user' || u || '_' || i, 'Bench', 2,
            now() - make_interval(mins => i * 7), now() - make_interval(mins => i * 3),
            i <= active,
            now() - make_interval(mins => i * 7),
            now() - make_interval(mins => i * 3)
       FROM (SELECT u, CASE WHEN u = $1 THEN $2::int ELSE 8 END AS active,
                       CASE WHEN u = $1 THEN $2::int + 5 ELSE 10 END AS total
               FROM generate_series(1, 51) AS u) AS users,
            LATERAL generate_series(1, users.total) AS i`,
    [BENCH_USER_ID, BENCH_USER_ACCOUNTS],
  );
  await dataSource.query('ANALYZE telegram_sessions');
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
