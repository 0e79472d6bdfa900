import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * One read-only statement straight on the pg pool behind a TypeORM data source, for the hottest
 * reads (the account list): `DataSource.query()` builds a QueryRunner, broadcasts query events and
 * releases the runner per call — about a third of the list route's overhead over raw pg in
 * `npm run bench`. The pool is TypeORM's own (same connections, statement and query timeouts);
 * writes and transactions stay with TypeORM.
 */
export async function poolQuery<T extends QueryResultRow>(
  dataSource: DataSource,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  return (await pool.query<T>(sql, params)).rows;
}
