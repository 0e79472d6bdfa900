import { formatCipherBench, runCipherBench } from './cipher-bench';
import { createBenchDatabase, type PostgresServer } from './lib/database';
import { runEventsBench, type EventsBenchResult } from './events-bench';
import { runLogsBench, type LogsBenchResult } from './logs-bench';
import { formatPgDeadlineBench, runPgDeadlineBench, type PgDeadlineResult } from './pg-deadline-bench';
import { runSendBench } from './send-bench';

const SUITES = ['http', 'pg', 'logs', 'cipher', 'events', 'send'];

/** Which parts of `npm run bench` run: BENCH_SUITES=http,pg,logs,cipher,events,send (all by default). */
export function selectedSuites(): Set<string> {
  const wanted = (process.env.BENCH_SUITES ?? SUITES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((s) => !SUITES.includes(s));
  if (unknown.length)
    throw new Error(`BENCH_SUITES: unknown ${unknown.join(', ')} (known: ${SUITES.join(', ')})`);
  return new Set(wanted);
}

/** The client-side query bound and GC: no bound, pg's query_timeout, DeadlineClient (the service's). */
export async function pgSuite(databaseUrl: string): Promise<PgDeadlineResult[]> {
  console.log(
    '\n== pg query bound and GC: 20 concurrent list queries (20 rows) on a pool of 10, a process per variant',
  );
  const results = await runPgDeadlineBench(databaseUrl);
  for (const line of formatPgDeadlineBench(results)) console.log(line);
  return results;
}

/** Issue 5's audit-log benchmark in its own database on the same server; prints pairs, ratios and plans. */
export async function logsSuite(postgres: PostgresServer, root: string): Promise<LogsBenchResult> {
  console.log(
    '\n== audit log: 2,000,000 rows, heavy user with 100,000; HTTP (JWT) vs the same SQL through pg',
  );
  const database = await createBenchDatabase(postgres.adminUrl, false);
  try {
    const result = await runLogsBench(database.url, root, (line) => console.log(line));
    console.log(
      `seeded ${result.rows.toLocaleString('en')} rows in ${result.seedSeconds} s (generate_series, VACUUM ANALYZE)`,
    );
    const aims: Record<string, (r: LogsBenchResult) => string> = {
      'logs page 1': (r) => aim(pair(r, 'logs page 1').ratio, 2, 'within 2× of SQL'),
      'stats 7 days': (r) => aim(pair(r, 'stats 7 days').ratio, 2, 'within 2× of SQL'),
      'stats 90 days': (r) => aim(pair(r, 'stats 90 days').ratio, 2, 'within 2× of SQL'),
      'logs cursor @ page 500': (r) =>
        aim(
          pair(r, 'logs cursor @ page 500').http.p50 / pair(r, 'logs page 1').http.p50,
          2,
          'within 2× of page 1 (HTTP p50)',
        ),
    };
    const header = `${'query'.padEnd(24)} | ${'HTTP p50'.padStart(9)} ${'p99'.padStart(9)} | ${'SQL p50'.padStart(9)} ${'p99'.padStart(9)} | HTTP/SQL | aim`;
    console.log(`\n${header}\n${'-'.repeat(header.length + 20)}`);
    for (const p of result.pairs) {
      console.log(
        `${p.name.padEnd(24)} | ${ms(p.http.p50)} ${ms(p.http.p99)} | ${ms(p.sql.p50)} ${ms(p.sql.p99)} | ${`${p.ratio.toFixed(2)}×`.padStart(8)} | ${aims[p.name]?.(result) ?? '(no aim)'}`,
      );
    }
    console.log('\nplans (EXPLAIN ANALYZE, BUFFERS) of the SQL behind each route:');
    for (const [name, plan] of Object.entries(result.plans)) console.log(`-- ${name}\n${plan}`);
    return result;
  } finally {
    await database.drop();
  }
}

/** Issue 11's send queue: throughput to the emulator next to direct gateway sends; paced latency. */
export async function sendSuite(postgres: PostgresServer): Promise<void> {
  console.log('\n== send queue: 1,000 messages over 10 chats and 2 senders to the in-process emulator');
  const r = await runSendBench(postgres, (line) => console.log(line));
  const rate = (n: number) => `${n.toFixed(0)} msg/s`;
  console.log(
    `queue, pacing off:   ${rate(r.queue.perSecond)} POST→sent (${r.queue.seconds.toFixed(2)} s for ${r.queue.messages}; ` +
      `POSTs accepted at ${rate(r.queue.enqueuePerSecond)})`,
  );
  console.log(
    `direct via gateway:  ${rate(r.direct.perSecond)} (${r.direct.seconds.toFixed(2)} s for ${r.direct.messages}, one loop per sender) ` +
      `→ queue/direct ${(r.queue.perSecond / r.direct.perSecond).toFixed(2)}×`,
  );
  console.log(
    `queue, pacing on:    enqueue→sent p50 ${r.paced.p50.toFixed(2)} s, p99 ${r.paced.p99.toFixed(2)} s, max ${r.paced.max.toFixed(2)} s ` +
      `(${r.paced.messages} messages, 10 per chat at once, 1 msg/s per chat: the last of a chat waits ~9 s by design; ` +
      `${r.paced.seconds.toFixed(1)} s in all)`,
  );
}

export async function cipherSuite(): Promise<void> {
  console.log('\n== secrets: encrypt+decrypt per cipher (Vault transit against the in-process FAKE Vault)');
  console.log(formatCipherBench(await runCipherBench()));
}

function pair(result: LogsBenchResult, name: string) {
  const found = result.pairs.find((p) => p.name === name);
  if (!found) throw new Error(`no measurement for ${name}`);
  return found;
}

function aim(ratio: number, limit: number, what: string): string {
  return `${ratio <= limit ? 'pass' : 'MISS'} (${ratio.toFixed(2)}×, ${what})`;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`.padStart(9);
}

/** Issue 12's events benchmark: commit → WebSocket latency (one replica, two) and relay throughput. */
export async function eventsSuite(postgres: PostgresServer): Promise<EventsBenchResult> {
  console.log('\n== events: state change committed → WebSocket client received; relay throughput');
  return runEventsBench(postgres, (line) => console.log(line));
}
