import type { DataSource, Migration, QueryRunner } from 'typeorm';

/** An arbitrary constant shared by every replica: "integration-service migrations". */
export const MIGRATION_LOCK_ID = 7_420_513_001;

/**
 * Takes the migration lock by polling pg_try_advisory_lock. A blocking pg_advisory_lock would wait
 * inside a statement that holds a snapshot, and CREATE INDEX CONCURRENTLY in the migrating replica
 * waits for every such snapshot: the two would wait for each other forever.
 */
async function acquire(runner: QueryRunner): Promise<void> {
  for (;;) {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK_ID,
    ])) as {
      locked: boolean;
    }[];
    if (locked) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so replicas starting together
 * never race: the first migrates, the others wait and then find nothing to do.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await acquire(runner);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}

export async function revertLastMigrationLocked(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await acquire(runner);
    try {
      // TypeORM honours a migration's `transaction = false` when running it, not when undoing it.
      const [last] = (await runner.query(
        `SELECT name FROM ${dataSource.options.migrationsTableName ?? 'migrations'} ORDER BY id DESC LIMIT 1`,
      )) as { name: string }[];
      const migration = dataSource.migrations.find((m) => m.name === last?.name);
      await dataSource.undoLastMigration({ transaction: migration?.transaction === false ? 'none' : 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}
