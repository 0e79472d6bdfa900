import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { standaloneDataSourceOptions } from '../../src/standalone-data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres';
import { runMigrationsLocked } from '../../src/database/migrator';
import { TEST_RUN_FILE, type TestRun } from './test-run';

declare global {
  var __embeddedTestDatabase: EmbeddedDatabase | undefined;
  var __testRun: TestRun | undefined;
}

/**
 * Real PostgreSQL for the suite: DATABASE_URL's server where given (CI), else an embedded one
 * under data/test-postgres. Builds one migrated template database; each test file copies it.
 */
export default async function globalSetup(): Promise<void> {
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    globalThis.__embeddedTestDatabase = await startEmbeddedPostgres(
      join(__dirname, '..', '..', 'data', 'test-postgres'),
      'integration_test',
    );
    baseUrl = globalThis.__embeddedTestDatabase.url;
  }
  const base = new URL(baseUrl);
  const baseName = base.pathname.replace(/^\//, '') || 'integration_test';
  if (!/test/i.test(baseName)) {
    throw new Error(`Refusing to run tests against database "${baseName}": its name must contain "test"`);
  }
  const prefix = `${baseName}_${process.pid}_${Date.now().toString(36)}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const template = `${prefix}_tpl`;
  const admin = new URL(baseUrl);
  admin.pathname = '/postgres';

  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(template)}`);
  } finally {
    await client.end();
  }
  const templateUrl = new URL(baseUrl);
  templateUrl.pathname = `/${template}`;
  const dataSource = new DataSource(
    standaloneDataSourceOptions({
      url: templateUrl.toString(),
      poolSize: 2,
      statementTimeoutMs: 60000,
      connectTimeoutMs: 10000,
    }),
  );
  await dataSource.initialize();
  try {
    await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }

  const run: TestRun = { adminUrl: admin.toString(), template, prefix };
  globalThis.__testRun = run;
  mkdirSync(dirname(TEST_RUN_FILE), { recursive: true });
  writeFileSync(TEST_RUN_FILE, JSON.stringify(run), { mode: 0o600 });
}
