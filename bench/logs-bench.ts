import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { createApp } from '../src/create-app';
import { standaloneDataSourceOptions } from '../src/standalone-data-source';
import { freePort } from '../src/database/embedded-postgres';
import { runMigrationsLocked } from '../src/database/migrator';
import { encodeCursor } from '../src/logs/log-cursor';

/**
 * Issue 5's benchmark: 2,000,000 audit rows (bench/sql/seed-logs.sql), the heavy user's logs page 1,
 * page 500, a cursor page at the same depth, and error statistics for 7 and 90 days — through HTTP
 * with a JWT, and the same SQL sent straight through pg in the same run.
 */
const SECRET = 'logs-bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const HEAVY_USER = 1;
const SIZE = 20;

const LIST_COLUMNS = `id, user_id, integration_type, action, status, details, error_message, created_at, updated_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts`;
const LIST_WHERE = `user_id = $1 AND integration_type = $2 AND created_at >= now() - make_interval(days => $3)`;
const PAGE_SQL = `SELECT ${LIST_COLUMNS} FROM integration_logs WHERE ${LIST_WHERE} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`;
const CURSOR_SQL = `SELECT ${LIST_COLUMNS} FROM integration_logs WHERE ${LIST_WHERE}
  AND (created_at, id) < ($6::timestamptz, $7::uuid) ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`;
const COUNT_SQL = `SELECT count(*) AS total FROM integration_logs WHERE ${LIST_WHERE}`;
const STATS_SQL = `SELECT count(*) AS total, count(*) FILTER (WHERE status = 'error') AS errors,
  count(*) FILTER (WHERE status = 'success') AS successes
  FROM integration_logs WHERE user_id = $1 AND created_at >= now() - make_interval(days => $2)`;

export interface LatencyPair {
  name: string;
  http: { p50: number; p99: number };
  sql: { p50: number; p99: number };
  ratio: number;
}

export interface LogsBenchResult {
  rows: number;
  seedSeconds: number;
  pairs: LatencyPair[];
  plans: Record<string, string>;
}

interface Scenario {
  name: string;
  path: string;
  sql: (pool: Pool) => Promise<unknown>;
  plan: { sql: string; params: unknown[] };
  iterations: number;
}

export async function runLogsBench(
  databaseUrl: string,
  root: string,
  log: (line: string) => void,
): Promise<LogsBenchResult> {
  const seedStarted = performance.now();
  const dataSource = new DataSource(
    standaloneDataSourceOptions({
      url: databaseUrl,
      poolSize: 2,
      statementTimeoutMs: 600000,
      connectTimeoutMs: 10000,
    }),
  );
  await dataSource.initialize();
  await runMigrationsLocked(dataSource);
  await dataSource.destroy();
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  log('seeding 2,000,000 audit rows (generate_series)…');
  await admin.query(readFileSync(join(root, 'bench', 'sql', 'seed-logs.sql'), 'utf8'));
  await admin.query('VACUUM ANALYZE integration_logs');
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const [{ n }] = (await admin.query<{ n: string }>('SELECT count(*) AS n FROM integration_logs')).rows;

  // The position the cursor scenario resumes from: the last row of page 499, i.e. the start of page 500.
  const depth = (
    await admin.query<{ cursor_ts: string; id: string }>(PAGE_SQL, [
      HEAVY_USER,
      'telegram',
      30,
      1,
      499 * SIZE - 1,
    ])
  ).rows[0];
  const cursor = encodeCursor({ createdAt: depth.cursor_ts, id: depth.id });

  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'error',
    RATE_LIMIT_ENABLED: 'false',
    MIGRATIONS_RUN: 'false',
    DATA_DIR: join(root, 'data', 'bench-logs'),
  });
  const app = await createApp(config);
  await app.listen({ port, host: '127.0.0.1' });
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const token = jwt.sign({ user_id: HEAVY_USER }, SECRET, { algorithm: 'HS256', expiresIn: 3600 });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  const listParams = (offset: number) => [HEAVY_USER, 'telegram', 30, SIZE + 1, offset];
  const pageAndCount =
    (params: unknown[], sql = PAGE_SQL) =>
    (p: Pool) =>
      Promise.all([p.query(sql, params), p.query(COUNT_SQL, params.slice(0, 3))]);
  const scenarios: Scenario[] = [
    {
      name: 'logs page 1',
      path: '/api/v1/telegram/logs?page=1&size=20',
      sql: pageAndCount(listParams(0)),
      plan: { sql: PAGE_SQL, params: listParams(0) },
      iterations: 300,
    },
    {
      name: 'logs page 500',
      path: '/api/v1/telegram/logs?page=500&size=20',
      sql: pageAndCount(listParams(499 * SIZE)),
      plan: { sql: PAGE_SQL, params: listParams(499 * SIZE) },
      iterations: 150,
    },
    {
      name: 'logs cursor @ page 500',
      path: `/api/v1/telegram/logs?size=20&cursor=${cursor}`,
      sql: pageAndCount([...listParams(0), depth.cursor_ts, depth.id], CURSOR_SQL),
      plan: { sql: CURSOR_SQL, params: [...listParams(0), depth.cursor_ts, depth.id] },
      iterations: 300,
    },
    {
      name: 'logs count (30 days)',
      path: '',
      sql: (p) => p.query(COUNT_SQL, [HEAVY_USER, 'telegram', 30]),
      plan: { sql: COUNT_SQL, params: [HEAVY_USER, 'telegram', 30] },
      iterations: 0,
    },
    {
      name: 'stats 7 days',
      path: '/api/v1/telegram/stats/errors?days_back=7',
      sql: (p) => p.query(STATS_SQL, [HEAVY_USER, 7]),
      plan: { sql: STATS_SQL, params: [HEAVY_USER, 7] },
      iterations: 300,
    },
    {
      name: 'stats 90 days',
      path: '/api/v1/telegram/stats/errors?days_back=90',
      sql: (p) => p.query(STATS_SQL, [HEAVY_USER, 90]),
      plan: { sql: STATS_SQL, params: [HEAVY_USER, 90] },
      iterations: 150,
    },
  ];

  const plans: Record<string, string> = {};
  const pairs: LatencyPair[] = [];
  try {
    for (const scenario of scenarios) {
      const explained = await admin.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${scenario.plan.sql}`,
        scenario.plan.params,
      );
      plans[scenario.name] = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
      if (scenario.iterations === 0) continue;
      const httpCall = async () => {
        const status = await get(port, scenario.path, token, agent);
        if (status !== 200) throw new Error(`${scenario.path} answered ${status}`);
      };
      const sqlCall = async () => {
        await scenario.sql(pool);
      };
      // Warm both paths, then alternate rounds so neither gets a warmer cache.
      await measure(httpCall, 20);
      await measure(sqlCall, 20);
      const http = await measure(httpCall, scenario.iterations);
      const sql = await measure(sqlCall, scenario.iterations);
      pairs.push({ name: scenario.name, http, sql, ratio: round(http.p50 / sql.p50) });
      log(
        `  ${scenario.name}: http p50 ${http.p50} ms p99 ${http.p99} ms | sql p50 ${sql.p50} ms p99 ${sql.p99} ms`,
      );
    }
  } finally {
    agent.destroy();
    await pool.end();
    await app.close();
    await admin.end();
  }
  return { rows: Number(n), seedSeconds: round(seedSeconds), pairs, plans };
}

async function measure(call: () => Promise<void>, iterations: number): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0);
  return { p50: at(0.5), p99: at(0.99) };
}

function get(port: number, path: string, token: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
