/**
 * What every command-line tool shares: .env and the validated configuration, DATABASE_URL or the embedded
 * development database, one way of reporting errors, and the exit code. A command is a function of its
 * arguments and `CliIo`, so tests run it in-process with their own environment and output.
 */
import { join } from 'node:path';
import { type AppConfig, ConfigValidationError, loadConfig, loadDotEnv } from '../config/app-config';
import type { Env } from '../config/env';
import { startEmbeddedPostgres } from '../database/embedded-postgres';

/** A mistake in the command line: reported with the command's usage text, exit code 1. */
export class UsageError extends Error {}

/** Where a command reads its configuration and writes its lines. */
export interface CliIo {
  env: Env;
  /** Base of a relative DATA_DIR (and of `migrations/`). Default: the working directory. */
  cwd?: string;
  out(line: string): void;
  err(line: string): void;
}

/** Runs with the arguments after the script name; resolves to the exit code. */
export type CliCommand = (argv: string[], io: CliIo) => Promise<number>;

export function cliConfig(io: CliIo): AppConfig {
  return loadConfig(io.env, io.cwd);
}

/**
 * Reports a failure the way every command does and returns exit code 1: one line per configuration problem,
 * a usage error with the usage text, anything else by its message only (never a stack).
 */
export function reportError(error: unknown, io: CliIo, usage?: string): number {
  if (error instanceof ConfigValidationError)
    error.problems.forEach((problem) => io.err(`Configuration error: ${problem}`));
  else if (error instanceof UsageError) io.err(usage ? `${error.message}\n\n${usage}` : error.message);
  else io.err(error instanceof Error ? error.message : String(error));
  return 1;
}

/**
 * Runs `work` with DATABASE_URL, or with the embedded development database under `$DATA_DIR/postgres`
 * (started for it and stopped afterwards: stop `npm start` first).
 */
export async function withDatabaseUrl<T>(config: AppConfig, work: (url: string) => Promise<T>): Promise<T> {
  if (config.database.url) return work(config.database.url);
  const embedded = await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
  try {
    return await work(embedded.url);
  } finally {
    await embedded.stop();
  }
}

/** The entry point of a tool: loads .env, runs `command` on this process's arguments and exits with its code. */
export function runCli(command: CliCommand): void {
  loadDotEnv();
  const io: CliIo = {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  command(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (error: unknown) => process.exit(reportError(error, io)),
  );
}
