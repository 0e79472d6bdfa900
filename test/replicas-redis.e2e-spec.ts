import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startEmulatorProcess, type EmulatorProcess } from './support/emulator-process';
import { OwnRedis } from './support/redis-server';
import { startService, type ServiceProcess } from './support/service-process';
import { emulatorCode } from './support/telegram';

const LIMIT = 20;
const WATCHDOG_MS = 1000;
const ACCOUNTS = '/api/v1/telegram/accounts';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two replicas (real processes of dist/src/main.js) on one PostgreSQL, one Redis of the test's own
 * and one emulator server (started by whichever replica got its start lock): the API limit is one
 * limit across them, Redis dying and coming back under load costs no request a 5xx (the limiter
 * fails open meanwhile, then counts again), and the watchdogs notice a session revoked on
 * Telegram's side within their interval.
 */
describe('several replicas, one Redis: shared limits, Redis lost under load, the watchdog', () => {
  let db: TestDatabase;
  let redis: OwnRedis;
  let dataDir: string;
  let emulator: EmulatorProcess;
  let replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    [db, redis, emulator] = await Promise.all([
      createTestDatabase(),
      OwnRedis.start(),
      startEmulatorProcess(),
    ]);
    dataDir = mkdtempSync(join(tmpdir(), 'replicas-redis-'));
    const env = {
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      REDIS_URL: redis.url,
      RATE_LIMIT_API_LIMIT: String(LIMIT),
      RATE_LIMIT_API_WINDOW_SECONDS: '60',
      TELEGRAM_EMULATOR: 'true',
      // Several service processes share one `npm run emulator` (a server `npm start` starts is its own).
      TELEGRAM_EMULATOR_URL: emulator.url,
      TELEGRAM_EMULATOR_CONTROL_URL: emulator.control_url,
      TELEGRAM_WATCHDOG_INTERVAL_MS: String(WATCHDOG_MS),
    };
    replicas = await Promise.all([startService(env), startService(env)]);
  }, 120_000);
  afterAll(async () => {
    for (const p of replicas) p.kill('SIGKILL');
    await Promise.all(replicas.map((p) => p.exit));
    await redis?.stop();
    await emulator?.stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the watchdog turns a session revoked on Telegram’s side `revoked` within its interval', async () => {
    const [a, b] = replicas;
    const phone = '+9996610521';
    expect((await a.request(521, 'POST', '/api/v1/telegram/connect', { phone })).status).toBe(200);
    const done = await a.request(521, 'POST', '/api/v1/telegram/connect', {
      phone,
      code: emulatorCode(phone),
    });
    expect(done.body).toMatchObject({ status: 'success' });
    const id = done.body.session_id as string;
    // Terminated from the user's other device (the emulator's control route, through the other replica).
    expect((await b.request(521, 'POST', '/api/v1/dev/telegram-emulator/revoke', { phone })).status).toBe(
      200,
    );
    const revokedAt = Date.now();
    let status = 'connected';
    while (status !== 'revoked' && Date.now() - revokedAt < 3 * WATCHDOG_MS + 5000) {
      await sleep(50);
      [{ status }] = await db.query<{ status: string }>(
        'SELECT status FROM telegram_sessions WHERE id = $1',
        [id],
      );
    }
    const noticed = Date.now() - revokedAt;
    process.stdout.write(
      `watchdog: revoked session noticed ${noticed} ms after the revocation (interval ${WATCHDOG_MS} ms)\n`,
    );
    expect(status).toBe('revoked');
    // Within one interval, plus the check's own round trip on a busy machine.
    expect(noticed).toBeLessThanOrEqual(WATCHDOG_MS + 2000);
    const audit = await db.query<{ action: string; status: string }>(
      `SELECT action, status FROM integration_logs WHERE user_id = 521 AND action = 'watchdog_check'`,
    );
    expect(audit).toEqual([{ action: 'watchdog_check', status: 'error' }]);
  }, 60_000);

  /** 2×LIMIT requests of one user, at once, spread over both replicas: how many were let through. */
  async function admittedOf(userId: number): Promise<{ ok: number; limited: number; other: number[] }> {
    const results = await Promise.all(
      Array.from({ length: 2 * LIMIT }, (_, i) => replicas[i % 2].request(userId, 'GET', ACCOUNTS)),
    );
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429).length;
    return { ok, limited, other: results.map((r) => r.status).filter((s) => s !== 200 && s !== 429) };
  }

  it('the API limit holds across replicas: one user gets LIMIT answers in all, not LIMIT from each', async () => {
    expect(await admittedOf(501)).toEqual({ ok: LIMIT, limited: LIMIT, other: [] });
  });

  it('Redis killed and started again under load (40 connections on two replicas): no 5xx, no failed request, limits back after', async () => {
    // Many users, so that most of the load is admitted: each request carries one of 2,000 tokens.
    const tokens = Array.from({ length: 2000 }, (_, i) =>
      jwt.sign({ user_id: 10_000 + i }, TEST_JWT_SECRET, { expiresIn: 600 }),
    );
    let next = 0;
    const load = replicas.map((p) =>
      autocannon({
        url: `${p.base}${ACCOUNTS}`,
        connections: 20,
        duration: 6,
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
            }),
          },
        ],
      }),
    );
    await sleep(1500);
    await redis.down();
    await sleep(2000);
    await redis.up();
    const results = await Promise.all(load);
    const failOpen = await Promise.all(replicas.map((p) => p.metric('rate_limit_storage_failures_total')));
    for (const [i, r] of results.entries()) {
      process.stdout.write(
        `replica ${i}: ${r.requests.total} requests, 2xx ${r['2xx']}, 4xx ${r['4xx']}, 5xx ${r['5xx']}, ` +
          `errors ${r.errors}, timeouts ${r.timeouts}, let through uncounted ${failOpen[i]}\n`,
      );
      expect(r.requests.total).toBeGreaterThan(200);
      expect(r['5xx']).toBe(0);
      expect(r.errors).toBe(0);
      expect(r.timeouts).toBe(0);
    }
    // Redis really was away while they served: both let requests through uncounted.
    for (const n of failOpen) expect(n).toBeGreaterThan(0);
    // Both replicas are ready throughout (Redis is not needed to serve).
    for (const p of replicas) expect((await fetch(`${p.base}/api/v1/health/readiness`)).status).toBe(200);

    // ioredis reconnects by itself (retries at most 2 s apart): the shared limit applies again.
    await sleep(2500);
    expect(await admittedOf(502)).toEqual({ ok: LIMIT, limited: LIMIT, other: [] });
  }, 60_000);
});
