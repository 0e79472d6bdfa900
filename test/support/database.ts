import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { readTestRun } from '../setup/test-run';

export interface TestDatabase {
  url: string;
  name: string;
  /** A direct pg client on this database, for setting up rows and reading them back raw. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database for one test file, copied from the migrated template (CREATE DATABASE … TEMPLATE). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const run = readTestRun();
  const name = `${run.prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: run.adminUrl });
  await admin.connect();
  try {
    await admin.query(
      `CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(run.template)}`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(run.adminUrl);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    name,
    query: async <T extends Record<string, unknown>>(sql: string, params?: unknown[]) =>
      (await client.query<T>(sql, params)).rows,
    drop: async () => {
      await client.end();
      const dropper = new Client({ connectionString: run.adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${dropper.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
