import { fork } from 'node:child_process';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { Pool, type PoolConfig } from 'pg';
import { DeadlineClient } from '../src/database/deadline-client';
import { ACCOUNTS_SQL, BENCH_USER_ID } from './lib/database';

/**
 * The client-side query bound and garbage collection: 20 concurrent list queries (20 rows each, the
 * list route's SQL) for a few seconds on a pool of 10, in a fresh process per variant —
 * - no bound (the baseline),
 * - pg's own `query_timeout`,
 * - DeadlineClient (src/database/deadline-client.ts), the service's pool client —
 * counting queries and the time spent in young-generation collections (scavenges).
 */
export type PgDeadlineVariant = 'none' | 'pg-query-timeout' | 'deadline-client';
export const PG_DEADLINE_VARIANTS: PgDeadlineVariant[] = ['none', 'pg-query-timeout', 'deadline-client'];

export interface PgDeadlineResult {
  variant: PgDeadlineVariant;
  queries: number;
  queriesPerSecond: number;
  scavenges: number;
  scavengeMs: number;
  majorGcMs: number;
}

const CONCURRENCY = 20;
const QUERY_TIMEOUT_MS = 31_000;

function poolConfig(url: string, variant: PgDeadlineVariant): PoolConfig {
  const base: PoolConfig = { connectionString: url, max: 10 };
  if (variant === 'pg-query-timeout') return { ...base, query_timeout: QUERY_TIMEOUT_MS };
  if (variant === 'deadline-client')
    return { ...base, query_timeout: QUERY_TIMEOUT_MS, Client: DeadlineClient };
  return base;
}

/** In the child: the load itself. */
async function measure(url: string, variant: PgDeadlineVariant, seconds: number): Promise<PgDeadlineResult> {
  const pool = new Pool(poolConfig(url, variant));
  await pool.query('SELECT 1');
  // Warm-up, then count.
  const run = async (ms: number) => {
    let queries = 0;
    const until = Date.now() + ms;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < until) {
          const { rows } = await pool.query(ACCOUNTS_SQL, [BENCH_USER_ID]);
          JSON.stringify(rows);
          queries += 1;
        }
      }),
    );
    return queries;
  };
  await run(1000);
  const gc = { scavenges: 0, scavengeMs: 0, majorMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.scavenges += 1;
        gc.scavengeMs += entry.duration;
      } else gc.majorMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const started = Date.now();
  const queries = await run(seconds * 1000);
  const elapsed = (Date.now() - started) / 1000;
  await new Promise((done) => setImmediate(done));
  observer.disconnect();
  await pool.end();
  return {
    variant,
    queries,
    queriesPerSecond: queries / elapsed,
    scavenges: gc.scavenges,
    scavengeMs: gc.scavengeMs,
    majorGcMs: gc.majorMs,
  };
}

/** In the parent: one child process per variant, one after the other. */
export async function runPgDeadlineBench(url: string, seconds = 6): Promise<PgDeadlineResult[]> {
  const results: PgDeadlineResult[] = [];
  for (const variant of PG_DEADLINE_VARIANTS) {
    results.push(
      await new Promise<PgDeadlineResult>((resolve, reject) => {
        const child = fork(__filename, ['child', url, variant, String(seconds)], { execArgv: [] });
        child.once('message', (message) => resolve(message as PgDeadlineResult));
        child.once('error', reject);
        child.once('exit', (code) => {
          if (code !== 0) reject(new Error(`pg deadline bench (${variant}) exited with ${code}`));
        });
      }),
    );
  }
  return results;
}

export function formatPgDeadlineBench(results: PgDeadlineResult[]): string[] {
  const baseline = results.find((r) => r.variant === 'none');
  const perThousand = (r: PgDeadlineResult) => (r.queries > 0 ? (r.scavengeMs / r.queries) * 1000 : 0);
  return results.map((r) => {
    const rate = baseline ? r.queriesPerSecond / baseline.queriesPerSecond : 1;
    const gc = baseline && perThousand(baseline) > 0 ? perThousand(r) / perThousand(baseline) : 1;
    return (
      `${r.variant.padEnd(17)} | ${r.queriesPerSecond.toFixed(0).padStart(6)} queries/s (${rate.toFixed(2)}× no bound) | ` +
      `${r.scavenges} scavenges, ${r.scavengeMs.toFixed(0)} ms = ${perThousand(r).toFixed(1)} ms per 1000 queries ` +
      `(${gc.toFixed(2)}× no bound) | major GC ${r.majorGcMs.toFixed(0)} ms`
    );
  });
}

if (process.argv[2] === 'child') {
  const [, , , url, variant, seconds] = process.argv;
  measure(url, variant as PgDeadlineVariant, Number(seconds)).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
