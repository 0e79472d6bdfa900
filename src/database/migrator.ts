import type { DataSource, Migration } from 'typeorm';
import { withAdvisoryLock } from './advisory-lock';

/** An arbitrary constant shared by every replica: "integration-service migrations". */
export const MIGRATION_LOCK_ID = 7_420_513_001;

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so replicas starting together
 * never race: the first migrates, the others wait and then find nothing to do.
 */
export function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  return withAdvisoryLock(dataSource, MIGRATION_LOCK_ID, { wait: true }, () =>
    dataSource.runMigrations({ transaction: 'each' }),
  );
}

export function revertLastMigrationLocked(dataSource: DataSource): Promise<void> {
  return withAdvisoryLock(dataSource, MIGRATION_LOCK_ID, { wait: true }, async (runner) => {
    // TypeORM honours a migration's `transaction = false` when running it, not when undoing it.
    const [last] = (await runner.query(
      `SELECT name FROM ${dataSource.options.migrationsTableName ?? 'migrations'} ORDER BY id DESC LIMIT 1`,
    )) as { name: string }[];
    const migration = dataSource.migrations.find((m) => m.name === last?.name);
    await dataSource.undoLastMigration({ transaction: migration?.transaction === false ? 'none' : 'each' });
  });
}
