import type { TestApp } from './support/app';
import { bearer } from './support/app';
import { createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const INTERVAL_MS = 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m?.[1] === name && Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) {
      sum += Number(m[3]);
    }
  }
  return sum;
}

/**
 * Two app instances ("replicas": each its own gateway, leases owner and watchdog) on one database and
 * ONE emulated Telegram world, as with a shared Telegram: the emulator kills a key used from two
 * connections at once (AUTH_KEY_DUPLICATED, as Telegram does), so any overlap would end the session.
 */
describe('two replicas, one Telegram world', () => {
  let world: TelegramWorld;
  let a: TestApp;
  let b: TestApp;
  const env = {
    TELEGRAM_LEASE_TTL_MS: '3000',
    TELEGRAM_LEASE_WAIT_MS: '3000',
    TELEGRAM_WATCHDOG_INTERVAL_MS: String(INTERVAL_MS),
  };

  beforeAll(async () => {
    world = await createTelegramWorld();
    [a, b] = [await world.start(env), await world.start(env)];
  });
  afterAll(() => world.cleanup());

  const status = async (id: string) =>
    (await world.db.query<{ status: string }>('SELECT status FROM telegram_sessions WHERE id = $1', [id]))[0]
      .status;

  it('concurrent reconnects and syncs of one session through both replicas never overlap', async () => {
    const phone = '+9996610801';
    const id = await loginByCode(a, 801, phone);
    let maxConnections = 0;
    const watcher = setInterval(() => {
      maxConnections = Math.max(maxConnections, world.emulator.liveConnectionCount(phone));
    }, 1);
    const calls = Array.from({ length: 16 }, (_, i) => {
      const t = i % 2 === 0 ? a : b;
      return i % 4 < 2
        ? t.inject({
            method: 'POST',
            url: `/api/v1/telegram/accounts/${id}/reconnect`,
            headers: bearer(t.token(801)),
          })
        : t.inject({
            method: 'POST',
            url: '/api/v1/telegram/channels/sync',
            headers: bearer(t.token(801)),
            payload: { session_id: id },
          });
    });
    const results = await Promise.all(calls);
    clearInterval(watcher);
    for (const res of results) {
      expect([200, 409]).toContain(res.statusCode);
      if (res.statusCode === 409) expect(res.json().code).toBe('telegram_session_busy');
    }
    expect(results.filter((r) => r.statusCode === 200).length).toBeGreaterThanOrEqual(8);
    expect(maxConnections).toBe(1);
    expect(await status(id)).toBe('connected');
    // The key is alive: one more reconnect through either replica works.
    const again = await b.inject({
      method: 'POST',
      url: `/api/v1/telegram/accounts/${id}/reconnect`,
      headers: bearer(b.token(801)),
    });
    expect(again.json()).toMatchObject({ session_metadata: { status: 'connected' } });
  });

  it('the watchdogs of both replicas check a session about once per interval in all, by its lease owner', async () => {
    const id = await loginByCode(a, 802, '+9996610802');
    const okChecks = async (t: TestApp) =>
      metric((await t.inject('/metrics')).body, 'telegram_watchdog_checks_total', {
        kind: 'session',
        result: 'ok',
      });
    const before = [await okChecks(a), await okChecks(b)];
    const windowMs = 8 * INTERVAL_MS;
    await sleep(windowMs);
    const checks = [(await okChecks(a)) - before[0], (await okChecks(b)) - before[1]];
    // Both sessions (801 and 802) are parked on whichever replica used them last; each is checked at
    // most once per half interval across both replicas, and at least every other interval.
    const total = checks[0] + checks[1];
    expect(total).toBeGreaterThanOrEqual(2 * (windowMs / INTERVAL_MS / 2 - 1));
    expect(total).toBeLessThanOrEqual(2 * (windowMs / (INTERVAL_MS / 2) + 1));
    expect(await status(id)).toBe('connected');
    expect(world.emulator.liveConnectionCount('+9996610802')).toBe(1);
  });
});
