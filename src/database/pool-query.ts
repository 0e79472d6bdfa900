import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * One read-only statement straight on the pg pool behind a TypeORM data source, for the hottest
 * reads (the account list): `DataSource.query()` builds a QueryRunner, broadcasts query events and
 * releases the runner per call — about a third of the list route's overhead over raw pg in
 * `npm run bench`. The pool is TypeORM's own (same connections, statement and query timeouts);
 * writes and transactions stay with TypeORM. Each row comes as the array of its column values in
 * SELECT order (pg's `rowMode: 'array'`): pg builds no object per row, and its row parsing took
 * about half the time (12 against 23 µs per list request of 20 rows in a CPU profile of the bench).
 */
export async function poolQueryValues(
  dataSource: DataSource,
  sql: string,
  params: unknown[],
): Promise<unknown[][]> {
  return (await poolOf(dataSource).query<unknown[]>({ text: sql, values: params, rowMode: 'array' })).rows;
}

function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}
