import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startEmulatorProcess, type EmulatorProcess } from './support/emulator-process';
import { startService, type ServiceProcess } from './support/service-process';
import { emulatorCode } from './support/telegram';

const USER = 1301;
const TOTAL = 300;
const CHATS = 10;
/** The chats an emulated account may post in without slow mode: 1 (its channel), 3 (admin), 5 (group). */
const POSTABLE = /^(Channel 1|Supergroup 3|Group 5) of /;

interface Lane {
  session: string;
  channelRowId: string;
  chatId: string;
}

interface Delivered {
  text: string;
  random_id: string;
}

/**
 * Issue 11's crash test: 300 messages queued across 10 chats, the service (a real process on its own
 * database, against the emulator as its own MTProto server process) killed with SIGKILL twice while
 * sending and started again each time; the emulator's chat histories then hold every message exactly
 * once, and every row is `sent`.
 */
describe('Messages: exactly once across two SIGKILLs of the service', () => {
  let db: TestDatabase;
  let emulator: EmulatorProcess;
  let dataDir: string;
  let service: ServiceProcess | undefined;

  const env = (): Record<string, string> => ({
    DATABASE_URL: db.url,
    DATA_DIR: dataDir, // the local key ring: the restarted process must open the sealed sessions
    RATE_LIMIT_ENABLED: 'false',
    TELEGRAM_EMULATOR: 'true',
    TELEGRAM_EMULATOR_URL: emulator.url,
    TELEGRAM_EMULATOR_CONTROL_URL: emulator.control_url,
    // Paced so that sending outlasts queueing even on a loaded machine: 30 messages a chat take ≥ 9 s.
    SEND_PER_CHAT_INTERVAL_MS: '300',
    SEND_POLL_INTERVAL_MS: '500',
    SEND_RETRY_BASE_MS: '100',
    SEND_MAX_ATTEMPTS: '50',
    SEND_WORKERS: '4',
    // The defaults for what a takeover waits for: a dead process's sender leases run out within
    // TELEGRAM_LEASE_TTL_MS (15 s) and its active jobs are retried once their heartbeat stops.
    TELEGRAM_CALL_TIMEOUT_MS: '4000',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'messages-crash-'));
    emulator = await startEmulatorProcess();
  });
  afterAll(async () => {
    service?.kill('SIGKILL');
    await service?.exit.catch(() => undefined);
    await emulator?.stop();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const ok = async (method: string, path: string, body?: unknown, status = 200) => {
    const res = await (service as ServiceProcess).request(USER, method, path, body);
    if (res.status !== status)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  async function login(phone: string): Promise<string> {
    await ok('POST', '/api/v1/telegram/connect', { phone });
    let res = await ok('POST', '/api/v1/telegram/connect', { phone, code: emulatorCode(phone) });
    if (res.status === '2fa_required') {
      res = await ok('POST', '/api/v1/telegram/connect', { phone, password: 'emulator-2fa' });
    }
    expect(res.status).toBe('success');
    return res.session_id as string;
  }

  /** Logs accounts in and syncs their chats until there are CHATS lanes (sender, chat) to post in. */
  async function lanes(): Promise<Lane[]> {
    const found: Lane[] = [];
    const known = new Set<string>();
    for (let n = 1; found.length < CHATS; n++) {
      const session = await login(`+99966113${String(n).padStart(2, '0')}`);
      await ok('POST', '/api/v1/telegram/channels/sync', { session_id: session });
      const list = await ok('GET', '/api/v1/telegram/channels?size=100');
      for (const row of list.items as { id: string; channel_id: string; title: string }[]) {
        if (known.has(row.id)) continue;
        known.add(row.id);
        if (POSTABLE.test(row.title) && found.length < CHATS)
          found.push({ session, channelRowId: row.id, chatId: row.channel_id });
      }
    }
    return found;
  }

  const sentCount = async (): Promise<number> =>
    Number((await db.query(`SELECT count(*) AS n FROM telegram_messages WHERE status = 'sent'`))[0].n);

  async function waitSent(atLeast: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = await sentCount();
      if (n >= atLeast) return n;
      if (Date.now() > deadline) {
        const rows = await db.query(`SELECT status, count(*) AS n FROM telegram_messages GROUP BY status`);
        throw new Error(`only ${n} of ${atLeast} sent: ${JSON.stringify(rows)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function crash(): Promise<void> {
    const s = service as ServiceProcess;
    // Mid-send: wait (briefly) for a row a worker has claimed and not yet recorded, then kill at once.
    for (let i = 0; i < 100; i++) {
      const busy = await db.query(`SELECT 1 FROM telegram_messages WHERE status = 'sending' LIMIT 1`);
      if (busy.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    s.kill('SIGKILL');
    const killed = Date.now();
    const exit = await s.exit;
    expect(exit.code).toBeNull(); // killed by the signal, not exited
    expect(s.child.signalCode).toBe('SIGKILL');
    // The dead process's sender leases end within 15 s (its live renewals kept them short).
    const [lease] = await db.query<{ until: Date | null }>(
      `SELECT max(lease_until) AS until FROM telegram_message_senders`,
    );
    expect((lease.until?.getTime() ?? 0) - killed).toBeLessThanOrEqual(15_500);
    const inFlight = (
      await db.query<{ id: string }>(`SELECT id FROM telegram_messages WHERE status = 'sending'`)
    ).map((r) => r.id);
    service = await startService(env());
    // What it was sending is taken over soon: job heartbeat (10 s + 5 s supervision) and lease (15 s).
    for (;;) {
      const open = await db.query(
        `SELECT 1 FROM telegram_messages WHERE id = ANY($1::uuid[]) AND status <> 'sent'`,
        [inFlight],
      );
      if (!open.length) break;
      expect(Date.now() - killed).toBeLessThan(30_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`crash: ${inFlight.length} in flight, sent again ${Date.now() - killed} ms after the kill`);
  }

  it('300 messages over 10 chats, SIGKILL twice while sending: each delivered exactly once, all rows sent', async () => {
    service = await startService(env());
    const targets = await lanes();
    expect(targets).toHaveLength(CHATS);

    const queued: { id: string; lane: Lane; text: string }[] = [];
    for (let i = 0; i < TOTAL; i += CHATS) {
      // One message per chat at a time, in order: a lane's messages are queued in their index order.
      const batch = targets.map((lane, k) => ({ lane, text: `crash ${i + k} to ${lane.chatId}` }));
      const answers = await Promise.all(
        batch.map((m) =>
          ok(
            'POST',
            '/api/v1/telegram/send',
            { session_id: m.lane.session, channel_id: m.lane.channelRowId, text: m.text },
            202,
          ),
        ),
      );
      answers.forEach((a, k) => queued.push({ id: a.message_id as string, ...batch[k] }));
    }

    // Killed while sending (some sent, most not), twice; each time a fresh process takes over.
    const first = await waitSent(40, 60_000);
    expect(first).toBeLessThan(TOTAL);
    await crash();
    const second = await waitSent(first + Math.min(80, Math.floor((TOTAL - first) / 2)), 90_000);
    expect(second).toBeLessThan(TOTAL);
    await crash();
    await waitSent(TOTAL, 120_000);

    const rows = await db.query<{ id: string; status: string; random_id: string; text: string }>(
      `SELECT id, status, random_id::text AS random_id, text FROM telegram_messages`,
    );
    expect(rows).toHaveLength(TOTAL);
    // The crash path ran: messages a dead worker had claimed were claimed again after their job
    // expired (a second attempt), and those that had reached Telegram came back RANDOM_ID_DUPLICATE.
    const retried = await db.query(`SELECT id FROM telegram_messages WHERE attempts > 1`);
    expect(retried.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    const byId = new Map(rows.map((r) => [r.id, r]));

    let delivered = 0;
    for (const lane of targets) {
      const got = (
        (await ok('GET', `/api/v1/dev/telegram-emulator/chats/${lane.chatId}/messages`))
          .messages as Delivered[]
      ).filter((m) => m.text.startsWith('crash '));
      delivered += got.length;
      const expected = queued.filter((m) => m.lane === lane).map((m) => byId.get(m.id));
      // Exactly once: every queued message of this chat by random_id and text, none twice, none missing.
      expect(got.map((m) => `${m.random_id} ${m.text}`).sort()).toEqual(
        expected.map((r) => `${r?.random_id} ${r?.text}`).sort(),
      );
      expect(new Set(got.map((m) => m.random_id)).size).toBe(got.length);
      // And in the order they were queued (one lane, one head at a time).
      expect(got.map((m) => m.text)).toEqual(expected.map((r) => r?.text));
    }
    expect(delivered).toBe(TOTAL);
  }, 200_000);
});
