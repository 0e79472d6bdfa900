import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { JwtVerifier } from '../src/common/auth/jwt-verifier';
import type { LoadSettings } from './lib/autocannon';
import { compareServers } from './lib/checks';
import { startServer } from './lib/child';
import { pinForHttp } from './lib/pinning';
import { compareRoute } from './lib/compare';
import { formatFloorTable, measureFloor } from './lib/floor';
import {
  ACCOUNTS_SQL,
  BENCH_USER_ACCOUNTS,
  BENCH_USER_ID,
  createBenchDatabase,
  migrateAndSeed,
  startPostgres,
  type BenchDatabase,
  type PostgresServer,
} from './lib/database';
import { describeEnvironment } from './lib/environment';
import { jwtVerifyCost } from './lib/jwt-cost';
import { BackgroundMeter, postmasterPid } from './lib/machine';
import type { RawStartMessage, ServiceStartMessage } from './lib/protocol';
import { allClean, formatCpuTable, formatTable, verdict, writeJson, type RouteResult } from './lib/report';
import { probes, routeSpecs, selectRoutes } from './lib/routes';
import { cipherSuite, eventsSuite, logsSuite, pgSuite, selectedSuites, sendSuite } from './suites';

/**
 * `npm run bench`: the real service (createApp) against a raw Fastify + pg server doing the same
 * work, each in its own process, loaded by autocannon from this process one target at a time.
 *
 * Knobs (environment):
 * - DATABASE_URL: a server to create the bench database on (else the embedded PostgreSQL);
 * - BENCH_DURATION (measured s per target, 8), BENCH_WARMUP (s, 2), BENCH_ROUNDS (slices, 4),
 *   BENCH_CONNECTIONS (20), BENCH_PIPELINING (1), BENCH_ROUTES (health,accounts,echo);
 * - BENCH_PIN=0: leave the HTTP measurements unpinned (by default, with taskset and 2+ CPUs, the
 *   runner runs on CPU 0 and the servers on CPU 1 while the routes are measured; see lib/pinning.ts);
 * - BENCH_FLOOR=0: skip the bare-NestJS floor (bench/nest-floor-server.ts), otherwise measured against
 *   the raw server after the service, to show what NestJS itself leaves of raw Fastify;
 * - BENCH_SERVICE_<VAR>=value: overrides the service's configuration (e.g. BENCH_SERVICE_LOG_LEVEL=silent);
 * - BENCH_RAW_JWT_KEY=string: the raw server gives jsonwebtoken the secret string (default: a KeyObject,
 *   as the service does);
 * - BENCH_SUITES=http,pg,logs,cipher,events,send: which parts run (events: BENCH_AMQP_URL, BENCH_EVENTS_SAMPLES, BENCH_EVENTS_BULK) (all by default; see suites.ts);
 * - BENCH_CPU_PROF=service|raw|both: a V8 CPU profile of each route's measured slices into
 *   bench/results/profiles (summarise with `node dist/bench/profile-summary.js <file>`);
 * - BENCH_OUTPUT: the JSON file (bench/results/latest.json); BENCH_STRICT=1: exit 2 when an aim is missed.
 */
const ROOT = resolve(__dirname, '..', '..');
const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
/** Above this share of the machine used by other processes, the run is flagged as skewed. */
const BUSY_MACHINE = 0.1;

async function main(): Promise<number> {
  const load: LoadSettings = {
    connections: intEnv('BENCH_CONNECTIONS', 20),
    pipelining: intEnv('BENCH_PIPELINING', 1),
    warmupSeconds: intEnv('BENCH_WARMUP', 2),
    durationSeconds: intEnv('BENCH_DURATION', 8),
    rounds: Math.max(1, intEnv('BENCH_ROUNDS', 4)),
  };
  const output = resolve(ROOT, process.env.BENCH_OUTPUT ?? join('bench', 'results', 'latest.json'));
  const environment = describeEnvironment(ROOT);

  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      await step().catch((error: unknown) => console.error(`cleanup: ${String(error)}`));
    }
  };
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the servers and dropping the bench database`);
    void cleanUp().then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const suites = selectedSuites();
  try {
    const postgres: PostgresServer = await startPostgres(ROOT, process.env.DATABASE_URL);
    cleanups.push(() => postgres.stop());
    const database: BenchDatabase = await createBenchDatabase(
      postgres.adminUrl,
      postgres.dataDir !== undefined,
    );
    cleanups.push(() => database.drop());

    const serviceEnv: Record<string, string> = {
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      DATABASE_URL: database.url,
      MIGRATIONS_RUN: 'false',
      ...serviceOverrides(),
    };
    const config = loadConfig(serviceEnv, ROOT);
    const data = await migrateAndSeed({ ...config.database, url: database.url });

    const serviceStart: ServiceStartMessage = { type: 'start', env: serviceEnv };
    const service = await startServer('service', join(__dirname, 'service-server.js'), serviceStart);
    cleanups.push(() => service.stop());
    const rawStart: RawStartMessage = {
      type: 'start',
      databaseUrl: database.url,
      jwtSecret: JWT_SECRET,
      // The service parses its key once into a KeyObject; the baseline does the same (like for like).
      jwtKey: process.env.BENCH_RAW_JWT_KEY === 'string' ? 'string' : 'keyobject',
      poolSize: config.database.poolSize,
      statementTimeoutMs: config.database.statementTimeoutMs,
      connectTimeoutMs: config.database.connectTimeoutMs,
      accountsSql: ACCOUNTS_SQL,
      health: { status: 'healthy', service: config.appName, version: config.version },
    };
    const raw = await startServer('raw', join(__dirname, 'raw-server.js'), rawStart);
    cleanups.push(() => raw.stop());
    const withFloor = suites.has('http') && process.env.BENCH_FLOOR !== '0';
    const floor = withFloor
      ? await startServer('floor', join(__dirname, 'nest-floor-server.js'), rawStart)
      : undefined;
    if (floor) cleanups.push(() => floor.stop());

    const token = new JwtVerifier(config.jwt).sign(BENCH_USER_ID, 3600);
    const routes = suites.has('http') ? selectRoutes(routeSpecs(token)) : [];
    const overrides = Object.entries(serviceOverrides()).map(([k, v]) => `${k}=${v}`);

    console.log(`integration-service benchmark, ${new Date().toISOString()}`);
    console.log(
      `node ${environment.node} | fastify ${service.fastifyVersion} (service) / ${raw.fastifyVersion} (raw); ` +
        `npm ls fastify: ${environment.fastifyVersionsInTree.join(', ') || '?'}, ` +
        `${environment.fastifySingleCopy ? 'one copy' : 'SEVERAL COPIES'} | ${environment.cpus} CPUs (${environment.cpuModel})`,
    );
    console.log(`database: ${postgres.source}, fresh database ${database.name}`);
    console.log(
      `  telegram_sessions: ${data.totalRows} rows; user ${BENCH_USER_ID} has ${BENCH_USER_ACCOUNTS} active accounts ` +
        `(the repository's query captured; the raw server sends the same SQL and gets the same rows)`,
    );
    console.log(
      `service: createApp() + BenchEchoModule, pid ${service.pid}: LOG_LEVEL=${config.logLevel}, ` +
        `RATE_LIMIT_ENABLED=${config.rateLimit.enabled}, PROMETHEUS_ENABLED=${config.prometheusEnabled}, ` +
        `pool ${config.database.poolSize}${overrides.length ? ` [overrides: ${overrides.join(' ')}]` : ''}`,
    );
    console.log(
      `raw:     fastify + pg Pool(${rawStart.poolSize}) + jsonwebtoken (secret as ${rawStart.jwtKey}) + Ajv body schema, ` +
        `pid ${raw.pid}`,
    );
    if (floor) {
      console.log(
        `floor:   bare NestJS on Fastify (stock ValidationPipe, a guard, the same pool, no logger/metrics/hooks), pid ${floor.pid}; BENCH_FLOOR=0 skips it`,
      );
    }
    console.log(
      `load:    autocannon ${environment.autocannon} in the runner process, ${load.connections} connections, ` +
        `pipelining ${load.pipelining}; per route and target ${load.warmupSeconds} s warm-up + ${load.durationSeconds} s ` +
        `measured in ${load.rounds} slices (service, raw, raw, service, ...), one target at a time`,
    );

    const jwtCost = jwtVerifyCost(token, JWT_SECRET);
    console.log(
      `jwt:     jsonwebtoken.verify here takes ${Math.round(jwtCost.keyObjectMicros)} µs with a KeyObject ` +
        `(the service's JwtVerifier; the raw server ${rawStart.jwtKey === 'keyobject' ? 'too' : 'not: a string'}), ` +
        `${Math.round(jwtCost.stringMicros)} µs with the secret as a string`,
    );

    const problems = await compareServers(service.baseUrl, raw.baseUrl, probes(token, data.expectedIds));
    if (floor) {
      problems.push(
        ...(await compareServers(floor.baseUrl, raw.baseUrl, probes(token, data.expectedIds), 'floor')),
      );
    }
    if (problems.length > 0) {
      console.error(`\nThe servers do not do the same work; not measuring:\n- ${problems.join('\n- ')}`);
      return 1;
    }
    console.log(
      'checks:  both servers give the same JSON on every route, 401 without a valid token, 400 on a bad body\n',
    );

    // The probes' 4xx lines (logged at warn) may still be in the pipe: let them arrive before counting.
    await new Promise((done) => setTimeout(done, 500));
    const linesBeforeLoad = service.output.lines;
    const profile = {
      labels: (process.env.BENCH_CPU_PROF ?? '').split(','),
      dir: join(ROOT, 'bench', 'results', 'profiles'),
      written: [] as string[],
    };
    const results: RouteResult[] = [];
    const pinning =
      routes.length > 0 ? pinForHttp([service.pid, raw.pid, ...(floor ? [floor.pid] : [])]) : undefined;
    if (pinning) {
      cleanups.push(async () => pinning.release());
      console.log(`cpus:    ${pinning.note}`);
    }
    const meter = BackgroundMeter.available()
      ? new BackgroundMeter(() => [process.pid, service.pid, raw.pid], postmasterPid(postgres.dataDir))
      : undefined;
    for (const route of routes) {
      process.stdout.write(`measuring ${route.label} ...`);
      const backgroundSince = meter?.start();
      const [serviceRun, rawRun] = await compareRoute(route.key, route.request, [service, raw], {
        load,
        profile,
      });
      const background = backgroundSince?.();
      const result: RouteResult = {
        route: route.label,
        service: serviceRun,
        raw: rawRun,
        ratio: rawRun.requestsPerSecond > 0 ? serviceRun.requestsPerSecond / rawRun.requestsPerSecond : 0,
        aim: route.aim,
        clean: allClean([serviceRun, rawRun]),
        background,
      };
      results.push(result);
      process.stdout.write(` ${result.ratio.toFixed(2)}×\n`);
    }

    const floorResults = floor ? await measureFloor(routes, [floor, raw], results, { load, profile }) : [];
    pinning?.release();

    console.log(`\n${formatTable(results)}\n\n${formatCpuTable(results)}\n`);
    if (floorResults.length > 0) console.log(`${formatFloorTable(floorResults)}\n`);
    for (const r of results.filter((result) => !result.clean)) {
      for (const [label, m] of [
        ['service', r.service],
        ['raw', r.raw],
      ] as const) {
        console.log(`${r.route} ${label}: ${m.non2xx} non-2xx, ${m.errors} errors (${m.timeouts} timeouts)`);
      }
    }
    const busiest = Math.max(0, ...results.map((r) => r.background ?? 0));
    if (busiest > BUSY_MACHINE) {
      console.log(
        `warning: other processes used up to ${(100 * busiest).toFixed(0)}% of the machine's CPU during the run: ` +
          'absolute rates are skewed (ratios less so: the slices alternate); rerun on a quiet machine',
      );
    }
    const logged = service.output.lines - linesBeforeLoad;
    if (logged > 0)
      console.log(
        `note: the service wrote ${logged} log lines under load; last: ${service.output.last.at(-1)}`,
      );

    const aimed = results.filter((r) => r.aim !== undefined);
    const missed = aimed.filter((r) => !verdict(r).startsWith('pass'));
    if (aimed.length > 0) {
      console.log(
        missed.length === 0
          ? `aims: all met (${aimed.map((r) => `${r.route} ${r.ratio.toFixed(2)}×`).join(', ')})`
          : `aims: missed on ${missed.map((r) => `${r.route} (${r.ratio.toFixed(2)}× < ${r.aim?.toFixed(2)}×)`).join(', ')}`,
      );
    }
    if (profile.written.length > 0) console.log(`CPU profiles: ${profile.written.join(', ')}`);

    writeJson(output, {
      date: new Date().toISOString(),
      environment: { ...environment, fastifyService: service.fastifyVersion, fastifyRaw: raw.fastifyVersion },
      load,
      database: {
        source: postgres.source,
        name: database.name,
        rows: data.totalRows,
        userAccounts: BENCH_USER_ACCOUNTS,
        typeormQuery: data.typeorm,
        rawQuery: ACCOUNTS_SQL,
      },
      service: {
        logLevel: config.logLevel,
        rateLimitEnabled: config.rateLimit.enabled,
        prometheusEnabled: config.prometheusEnabled,
        poolSize: config.database.poolSize,
        overrides: serviceOverrides(),
        jwtVerifyMicros: jwtCost,
        logLines: logged,
      },
      raw: { jwtKey: rawStart.jwtKey, poolSize: rawStart.poolSize },
      results: results.map((r) => ({ ...r, verdict: verdict(r) })),
      floor: floorResults,
    });
    console.log(`results: ${output}`);

    // The service and baseline servers are done: stop them before the heavier suites.
    await service.stop();
    await raw.stop();
    await floor?.stop();
    if (suites.has('pg')) await pgSuite(database.url);
    if (suites.has('logs')) await logsSuite(postgres, ROOT);
    if (suites.has('cipher')) await cipherSuite();
    if (suites.has('events')) await eventsSuite(postgres);
    if (suites.has('send')) await sendSuite(postgres);

    if (results.some((r) => !r.clean) || floorResults.some((r) => !r.clean)) return 1;
    return missed.length > 0 && process.env.BENCH_STRICT === '1' ? 2 : 0;
  } finally {
    await cleanUp();
  }
}

/** BENCH_SERVICE_<VAR>=value → <VAR>=value in the service's configuration (a one-off variant run). */
function serviceOverrides(): Record<string, string> {
  const prefix = 'BENCH_SERVICE_';
  return Object.fromEntries(
    Object.entries(process.env)
      .filter((entry): entry is [string, string] => entry[0].startsWith(prefix) && entry[1] !== undefined)
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
