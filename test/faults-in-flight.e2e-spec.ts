import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { FakeVault } from './fakes/vault';
import { startControlledPostgres, type ControlledPostgres } from './support/embedded-postgres-process';
import { startEmulatorProcess, type EmulatorProcess } from './support/emulator-process';
import { findLanes, loginLoad, postLoad, type Lane, type Posted } from './support/send-load';
import { startService, type ServiceProcess } from './support/service-process';

const USER = 2601;
const TOTAL = 200;
const TRANSIT_KEY = 'telegram-sessions';

interface Fault {
  begin(): void | Promise<void>;
  /** Checks made while the fault lasts (PostgreSQL's own are not possible then). */
  during?(): Promise<void>;
  end(): void | Promise<void>;
}

/**
 * Issue 26, items 1–2: faults while messages are in flight. A real service process (Vault transit
 * on a fake Vault, RabbitMQ, Redis, the emulator server) on a PostgreSQL of its own sends 200
 * messages to 4 chats while logins run; PostgreSQL is stopped, then frozen, then the Vault transit
 * key made unusable. Vault answers slowly, so send handlers are mid-flight (and fail) when
 * PostgreSQL goes. The process must never exit; every accepted message is delivered exactly once
 * and recorded `sent`, nothing answered 503 is stored, and none is `failed`.
 */
describe('Faults while messages are in flight', () => {
  const root = mkdtempSync(join(tmpdir(), 'faults-in-flight-'));
  let pg: ControlledPostgres;
  let emulator: EmulatorProcess;
  let vault: FakeVault;
  let service: ServiceProcess;
  let lanes: Lane[];
  let exited = false;
  let tearingDown = false;
  /** The service's own log lines (warn and above), shown when a check fails. */
  let logs = '';

  const query = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: pg.url, connectionTimeoutMillis: 2000 });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    pg = await startControlledPostgres(join(root, 'pg'), 'faults_in_flight');
    emulator = await startEmulatorProcess();
    vault = await FakeVault.start();
    vault.setSlow(150); // each secret opened takes a while: handlers are in flight when a fault comes
    service = await startService({
      DATABASE_URL: pg.url,
      MIGRATIONS_RUN: 'true',
      DATA_DIR: join(root, 'app'),
      DATABASE_POOL_SIZE: '10',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_QUERY_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '1500',
      VAULT_URL: vault.url,
      VAULT_TOKEN: vault.rootToken,
      VAULT_TIMEOUT_MS: '2000',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `faults-in-flight-${process.pid}:`,
      RATE_LIMIT_API_LIMIT: '100000',
      TELEGRAM_EMULATOR: 'true',
      TELEGRAM_EMULATOR_URL: emulator.url,
      TELEGRAM_EMULATOR_CONTROL_URL: emulator.control_url,
      SEND_PER_CHAT_INTERVAL_MS: '100',
      SEND_POLL_INTERVAL_MS: '500',
      SEND_RETRY_BASE_MS: '200',
      SEND_MAX_ATTEMPTS: '50',
      SEND_WORKERS: '4',
    });
    void service.exit.then((result) => {
      exited = true;
      if (tearingDown) return;
      // The post-mortem: how it ended and its last words.
      console.error(`the service exited (code ${result.code}): ${logs.slice(-8000)}`);
    });
    service.child.stdout?.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-200_000)));
    service.child.stderr?.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-200_000)));
    lanes = await findLanes(service, USER, '+99966126', 4);
  }, 120_000);
  afterAll(async () => {
    // FAULTS_LOG=<file>: the service's whole log, for a failure's post-mortem.
    if (process.env.FAULTS_LOG) writeFileSync(process.env.FAULTS_LOG, logs);
    tearingDown = true;
    service?.kill('SIGKILL');
    await service?.exit.catch(() => undefined);
    await emulator?.stop();
    await vault?.stop();
    await pg?.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  /** Messages recorded `sent` since `at` (updated_at is the recording transaction's time). */
  async function sentSince(at: Date): Promise<number> {
    const [row] = await query<{ n: string }>(
      `SELECT count(*) AS n FROM telegram_messages WHERE status = 'sent' AND updated_at >= $1`,
      [at],
    );
    return Number(row.n);
  }

  async function allSent(ids: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await query<{ status: string; n: string }>(
        `SELECT status, count(*) AS n FROM telegram_messages WHERE id = ANY($1::uuid[]) GROUP BY status`,
        [ids],
      );
      if (rows.length === 1 && rows[0].status === 'sent' && Number(rows[0].n) === ids.length) return;
      if (Date.now() > deadline)
        throw new Error(
          `not all ${ids.length} sent: ${JSON.stringify(rows)}; exited: ${exited}; log: ${logs.slice(-6000)}`,
        );
      await sleep(250);
    }
  }

  /** Runs the load through the fault; answers what was posted and how long sending took to resume. */
  async function scenario(tag: string, fault: Fault, faultMs: number) {
    const handlerFaults = await service.metric('background_faults_total', { worker: 'send_worker' });
    let stopLogins = false;
    const phones = [`+99966227${tag.length}1`, `+99966337${tag.length}2`];
    const logins = loginLoad(service, USER + 1, phones, () => stopLogins);
    const load = postLoad(service, USER, lanes, tag, TOTAL, 120, () => exited);
    // In flight: a message claimed and not yet recorded.
    for (let i = 0; i < 100; i++) {
      if ((await query(`SELECT 1 FROM telegram_messages WHERE status = 'sending' LIMIT 1`)).length) break;
      await sleep(20);
    }
    await fault.begin();
    const began = Date.now();
    await fault.during?.();
    await sleep(Math.max(0, faultMs - (Date.now() - began)));
    await fault.end();
    const back = new Date();
    let resumedMs = -1;
    for (; Date.now() - back.getTime() < 20_000; await sleep(100)) {
      if ((await sentSince(back).catch(() => 0)) > 0) {
        resumedMs = Date.now() - back.getTime();
        break;
      }
    }
    const posted = await load;
    stopLogins = true;
    const loginStatuses = await logins;
    const accepted = posted.filter((p) => p.status === 202);
    await allSent(
      accepted.map((p) => p.id as string),
      90_000,
    );
    // The process-level check: a rejection nothing handled is counted (and logged) by main.ts.
    expect(await service.metric('background_faults_total', { worker: 'unhandled_rejection' })).toBe(0);
    expect(await service.metric('background_faults_total', { worker: 'uncaught_exception' })).toBe(0);
    expect(logs).not.toContain('Unhandled promise rejection');
    expect(logs).not.toContain('Uncaught exception');
    const handlerFaultsDuring =
      (await service.metric('background_faults_total', { worker: 'send_worker' })) - handlerFaults;
    return { posted, accepted, resumedMs, loginStatuses, handlerFaultsDuring };
  }

  async function expectDeliveredOnce(tag: string, posted: Posted[]): Promise<void> {
    const accepted = new Set(posted.filter((p) => p.status === 202).map((p) => p.text));
    for (const p of posted) {
      expect([202, 503]).toContain(p.status);
      if (p.status === 503) expect(p.retryAfter).not.toBeNull();
    }
    // Nothing answered 503 is stored.
    const stored = await query<{ text: string; status: string }>(
      `SELECT text, status FROM telegram_messages WHERE text LIKE $1`,
      [`${tag} %`],
    );
    expect(stored.map((r) => r.text).sort()).toEqual([...accepted].sort());
    expect(stored.filter((r) => r.status !== 'sent')).toEqual([]);
    // Delivered exactly once, in the order accepted per chat.
    for (const lane of lanes) {
      const res = await service.request(
        USER,
        'GET',
        `/api/v1/dev/telegram-emulator/chats/${lane.chatId}/messages`,
      );
      const got = (res.body.messages as { text: string }[])
        .map((m) => m.text)
        .filter((t) => t.startsWith(`${tag} `));
      const expected = posted.filter((p) => p.lane === lane && p.status === 202).map((p) => p.text);
      expect(got).toEqual(expected);
    }
  }

  const noneFailed = async () =>
    expect(await query(`SELECT id, error_code FROM telegram_messages WHERE status = 'failed'`)).toEqual([]);

  it('PostgreSQL stopped for 10 s mid-send: the process lives, each accepted message sent once', async () => {
    const tag = 'pg-stop';
    const run = await scenario(tag, { begin: () => pg.stop(), end: () => pg.start() }, 10_000);
    expect(exited).toBe(false);
    expect(run.handlerFaultsDuring).toBeGreaterThan(0); // a send handler failed mid-job
    expect(run.posted.some((p) => p.status === 503)).toBe(true); // the outage was felt
    expect(run.accepted).toHaveLength(TOTAL);
    expect(run.resumedMs).toBeGreaterThanOrEqual(0);
    expect(run.resumedMs).toBeLessThan(5000);
    await expectDeliveredOnce(tag, run.posted);
    await noneFailed();
    console.log(
      `pg stop: resumed ${run.resumedMs} ms after; ${run.handlerFaultsDuring} handler faults; logins ${JSON.stringify(count(run.loginStatuses))}`,
    );
  }, 150_000);

  it('PostgreSQL frozen (SIGSTOP) for 10 s mid-send: the same', async () => {
    const tag = 'pg-freeze';
    const run = await scenario(tag, { begin: () => pg.freeze(), end: () => pg.thaw() }, 10_000);
    expect(exited).toBe(false);
    expect(run.handlerFaultsDuring).toBeGreaterThan(0);
    expect(run.posted.some((p) => p.status === 503)).toBe(true);
    expect(run.resumedMs).toBeGreaterThanOrEqual(0);
    expect(run.resumedMs).toBeLessThan(5000);
    await expectDeliveredOnce(tag, run.posted);
    await noneFailed();
    console.log(
      `pg freeze: resumed ${run.resumedMs} ms after; ${run.handlerFaultsDuring} handler faults; logins ${JSON.stringify(count(run.loginStatuses))}`,
    );
  }, 150_000);

  it('the Vault transit key unusable for 30 s: messages wait (secrets_unavailable), then go; none failed', async () => {
    const tag = 'vault-key';
    let parked = 0;
    const run = await scenario(
      tag,
      {
        begin: () => vault.loseTransitKey(TRANSIT_KEY),
        during: async () => {
          for (let i = 0; i < 100 && parked === 0; i++) {
            await sleep(200);
            const [row] = await query<{ n: string }>(
              `SELECT count(*) AS n FROM telegram_messages WHERE status = 'waiting' AND error_code = 'secrets_unavailable'`,
            );
            parked = Number(row.n);
          }
        },
        end: () => vault.restoreTransitKey(TRANSIT_KEY),
      },
      30_000,
    );
    expect(exited).toBe(false);
    expect(parked).toBeGreaterThan(0);
    await expectDeliveredOnce(tag, run.posted);
    await noneFailed();
    console.log(`vault key: resumed ${run.resumedMs} ms after; ${parked} parked`);
  }, 180_000);
});

function count(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}
