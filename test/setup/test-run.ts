import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Shared between the global set-up (which writes it) and every test file (which reads it). */
export interface TestRun {
  /** Connection URL of the server's maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  /** A migrated database that per-file databases are copied from. */
  template: string;
  /** Prefix of every database this run creates. */
  prefix: string;
}

export const TEST_RUN_FILE = join(__dirname, '..', '..', 'data', 'test-run.json');

export function readTestRun(): TestRun {
  return JSON.parse(readFileSync(TEST_RUN_FILE, 'utf8')) as TestRun;
}
