import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startEmulatorProcess, type EmulatorProcess } from './support/emulator-process';
import { startService, type ServiceProcess } from './support/service-process';
import { emulatorCode } from './support/telegram';

const TTL_MS = 2000;
const WAIT_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two replicas (two real processes of dist/src/main.js) on one PostgreSQL and ONE emulator server
 * (MTProto over TCP), `npm run emulator` shared through TELEGRAM_EMULATOR_URL (a server `npm start` starts
 * is its own and would stop with it; here a replica is killed). The emulator answers
 * a key used from two connections at once with AUTH_KEY_DUPLICATED and kills it, as Telegram does,
 * and counts every such use (`auth_key_duplicated` in its /v1/status): any overlap would show.
 */
describe('several replicas: one owner per Telegram session', () => {
  let db: TestDatabase;
  let dataDir: string;
  let emulator: EmulatorProcess;
  let a: ServiceProcess;
  let b: ServiceProcess;
  const env = () => ({
    DATABASE_URL: db.url,
    DATA_DIR: dataDir, // one local key ring: both replicas open the same ciphertexts
    TELEGRAM_EMULATOR: 'true',
    TELEGRAM_EMULATOR_URL: emulator.url,
    TELEGRAM_EMULATOR_CONTROL_URL: emulator.control_url,
    RATE_LIMIT_ENABLED: 'false',
    TELEGRAM_LEASE_TTL_MS: String(TTL_MS),
    TELEGRAM_LEASE_WAIT_MS: String(WAIT_MS),
    TELEGRAM_CLIENT_IDLE_MS: '600000', // a signed-in client stays parked (and its lease held) throughout
    TELEGRAM_WATCHDOG_INTERVAL_MS: '0',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'replicas-test-'));
    emulator = await startEmulatorProcess();
    [a, b] = await Promise.all([startService(env()), startService(env())]);
  }, 120000);
  afterEach(async () => {
    expect((await emulatorStatus()).auth_key_duplicated).toBe(0);
  });
  afterAll(async () => {
    for (const p of [a, b]) {
      p?.kill('SIGCONT');
      p?.kill('SIGKILL');
    }
    await emulator?.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function login(p: ServiceProcess, userId: number, phone: string): Promise<string> {
    const sent = await p.request(userId, 'POST', '/api/v1/telegram/connect', { phone });
    expect(sent.status).toBe(200);
    const done = await p.request(userId, 'POST', '/api/v1/telegram/connect', {
      phone,
      code: emulatorCode(phone),
    });
    expect(done.body).toMatchObject({ status: 'success' });
    return done.body.session_id as string;
  }

  async function lease(key: string) {
    const [row] = await db.query<{ owner: string | null; token: string; live: boolean }>(
      `SELECT owner, token::text AS token, expires_at > clock_timestamp() AS live FROM telegram_session_leases WHERE key = $1`,
      [key],
    );
    return row;
  }

  /** The emulator server both replicas use. */
  async function emulatorStatus(): Promise<{ connections: number; auth_key_duplicated: number }> {
    return (await (await fetch(new URL('/v1/status', emulator.control_url))).json()) as {
      connections: number;
      auth_key_duplicated: number;
    };
  }

  async function status(id: string): Promise<string> {
    const [row] = await db.query<{ status: string }>(`SELECT status FROM telegram_sessions WHERE id = $1`, [
      id,
    ]);
    return row.status;
  }

  const ownerPid = (owner: string | null | undefined) => Number(owner?.split(':')[1]);

  it('the replica that signed in holds the lease; another replica gets the session only after it handed it over', async () => {
    const id = await login(a, 1, '+9996610001');
    const held = await lease(id);
    expect(ownerPid(held.owner)).toBe(a.child.pid);
    expect(held.live).toBe(true);
    expect(await a.metric('telegram_live_clients')).toBe(1);
    // Renewed while the client stays open: still A's, still the same grant, well past one TTL.
    await sleep(TTL_MS * 1.5);
    expect(await lease(id)).toEqual({ ...held, live: true });
    expect(await a.metric('telegram_lease_events_total', { outcome: 'lost' })).toBe(0);

    const res = await b.request(1, 'POST', `/api/v1/telegram/accounts/${id}/reconnect`);
    expect(res.status).toBe(200);
    expect(await status(id)).toBe('connected'); // one world: B's client signs in with A's key
    // A closed its client before B opened one: A's release came first, B's grant was a hand-over.
    expect(await a.metric('telegram_live_clients')).toBe(0);
    expect(await a.metric('telegram_lease_events_total', { outcome: 'released' })).toBeGreaterThanOrEqual(1);
    expect(await b.metric('telegram_lease_events_total', { outcome: 'handed_over' })).toBe(1);
    const after = await lease(id);
    expect(BigInt(after.token)).toBeGreaterThan(BigInt(held.token)); // a new grant, a new fencing token
  }, 60000);

  it('concurrent reconnects, syncs and sends of one session from both replicas never use its key twice at once', async () => {
    const id = await login(a, 5, '+9996610005');
    const synced = await a.request(5, 'POST', '/api/v1/telegram/channels/sync', { session_id: id });
    expect(synced.status).toBe(200);
    const channels = await a.request(5, 'GET', '/api/v1/telegram/channels?size=100');
    const target = (channels.body.items as { id: string; type: string }[]).find((c) => c.type !== 'channel');
    expect(target).toBeDefined();
    const calls = Array.from({ length: 18 }, (_, i) => {
      const via = i % 2 === 0 ? a : b;
      switch (i % 3) {
        case 0:
          return via.request(5, 'POST', `/api/v1/telegram/accounts/${id}/reconnect`);
        case 1:
          return via.request(5, 'POST', '/api/v1/telegram/channels/sync', { session_id: id });
        default:
          return via.request(5, 'POST', '/api/v1/telegram/send', {
            session_id: id,
            channel_id: target!.id,
            text: `from both replicas ${i}`,
          });
      }
    });
    const results = await Promise.all(calls);
    for (const res of results) {
      expect([200, 202, 409]).toContain(res.status);
      if (res.status === 409) expect(res.body).toMatchObject({ code: 'telegram_session_busy' });
    }
    expect(results.filter((r) => r.status !== 409).length).toBeGreaterThanOrEqual(9);
    // Every queued message is sent (by whichever replica's worker got it, holding the lease).
    const queued = results.filter((r) => r.status === 202).map((r) => r.body.message_id as string);
    expect(queued.length).toBeGreaterThan(0);
    await waitFor(async () => {
      const views = await Promise.all(
        queued.map((m) => b.request(5, 'GET', `/api/v1/telegram/messages/${m}`)),
      );
      return views.every((v) => v.body.status === 'sent');
    }, 30000);
    expect(await status(id)).toBe('connected');
    // (afterEach: the emulator saw no key used from two connections at once.)
  }, 90000);

  it('an owner that does not answer keeps its session: the other replica waits briefly, then 409 with Retry-After', async () => {
    const id = await login(a, 2, '+9996610002');
    a.kill('SIGSTOP'); // hung, but its lease is still within its TTL
    try {
      const started = Date.now();
      const res = await b.request(2, 'POST', `/api/v1/telegram/accounts/${id}/reconnect`);
      const waited = Date.now() - started;
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'telegram_session_busy' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(waited).toBeGreaterThanOrEqual(WAIT_MS - 50);
      expect(ownerPid((await lease(id)).owner)).toBe(a.child.pid);
    } finally {
      a.kill('SIGCONT');
    }
    expect(await status(id)).toBe('connected'); // B wrote nothing
  }, 60000);

  it('fencing: a replica paused past its lease TTL cannot write the session state after SIGCONT', async () => {
    const id = await login(a, 3, '+9996610003');
    const before = await db.query(`SELECT * FROM telegram_sessions WHERE id = $1`, [id]);
    const audits = await db.query(`SELECT count(*)::int AS n FROM integration_logs WHERE user_id = 3`);
    // Hold A's write at its fencing check (a row lock on the lease row), so the pause lands exactly
    // between its Telegram call and its state write.
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    let pending: Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> | undefined;
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM telegram_session_leases WHERE key = $1 FOR UPDATE`, [id]);
      pending = a.request(3, 'POST', `/api/v1/telegram/accounts/${id}/reconnect`);
      await waitFor(async () => {
        const waiting = await db.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND query LIKE '%telegram_session_leases%FOR SHARE%'`,
        );
        return waiting.length > 0;
      });
      a.kill('SIGSTOP');
      await sleep(TTL_MS + 1000); // A's lease runs out while it is paused
      await blocker.query('ROLLBACK');
      await sleep(300);
    } finally {
      a.kill('SIGCONT');
      await blocker.end();
    }
    const res = await pending!;
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'telegram_session_busy' });
    expect(await a.metric('telegram_lease_fenced_writes_total', { reason: 'expired' })).toBe(1);
    // Nothing A did after its lease ran out reached the database.
    expect(await db.query(`SELECT * FROM telegram_sessions WHERE id = $1`, [id])).toEqual(before);
    expect(await db.query(`SELECT count(*)::int AS n FROM integration_logs WHERE user_id = 3`)).toEqual(
      audits,
    );
    // And the lease is free for whoever comes next.
    await waitFor(async () => !(await lease(id)).live);
  }, 60000);

  it('SIGKILL: the killed replica’s sessions are free for the other one within the lease TTL', async () => {
    const id = await login(a, 4, '+9996610004');
    expect(ownerPid((await lease(id)).owner)).toBe(a.child.pid);
    const killedAt = Date.now();
    a.kill('SIGKILL');
    await a.exit;
    let res;
    do {
      res = await b.request(4, 'POST', `/api/v1/telegram/accounts/${id}/reconnect`);
    } while (res.status === 409 && Date.now() - killedAt < 10000);
    const moved = Date.now() - killedAt;
    expect(res.status).toBe(200);
    expect(moved).toBeLessThanOrEqual(TTL_MS + WAIT_MS + 1000);
    expect(ownerPid((await lease(id)).owner)).toBe(b.child.pid);
    // Served, not just unlocked: B's client works on the session A had open (same world, same key).
    expect(await status(id)).toBe('connected');
    const sync = await b.request(4, 'POST', '/api/v1/telegram/channels/sync', { session_id: id });
    expect(sync.status).toBe(200);
    process.stdout.write(`session moved to the other replica ${moved} ms after SIGKILL (TTL ${TTL_MS} ms)\n`);
  }, 60000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(50);
  }
}
