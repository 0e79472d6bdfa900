import type { TestApp } from './support/app';
import { createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const INTERVAL_MS = 500;
const FAILURES = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function metric(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (match[2] ?? '').includes(`${k}="${v}"`)))
      sum += Number(match[3]);
  }
  return sum;
}

/**
 * Two replicas' watchdogs on one session that Telegram stopped answering: TELEGRAM_WATCHDOG_FAILURES
 * counts the checks of every replica that checked it (telegram_session_leases.check_failures), so a
 * session that moves to another replica meanwhile (a rolling update) is not given FAILURES more.
 */
describe('session watchdog on two replicas: unreachable checks counted per session', () => {
  let world: TelegramWorld;
  let replicas: TestApp[];

  beforeAll(async () => {
    // In process: a 300 ms call timeout is shorter than a fresh auth-key exchange over TCP on a busy machine.
    world = await createTelegramWorld({}, { transport: 'in-process' });
    const env = {
      TELEGRAM_WATCHDOG_INTERVAL_MS: String(INTERVAL_MS),
      TELEGRAM_WATCHDOG_FAILURES: String(FAILURES),
      TELEGRAM_CALL_TIMEOUT_MS: '300',
      TELEGRAM_LEASE_TTL_MS: '3000',
    };
    replicas = [await world.start(env), await world.start(env)];
  });
  afterAll(() => world.cleanup());

  it('turns `error` after TELEGRAM_WATCHDOG_FAILURES unreachable checks by both replicas together; an answer resets the count', async () => {
    const id = await loginByCode(replicas[0], 751, '+9996610751');
    const unreachable = async () =>
      Promise.all(
        replicas.map(async (t) =>
          metric((await t.inject('/metrics')).body, 'telegram_watchdog_checks_total', {
            kind: 'session',
            result: 'unreachable',
          }),
        ),
      );
    const row = async () =>
      (
        await world.db.query<{ status: string; check_failures: number }>(
          `SELECT s.status, l.check_failures FROM telegram_sessions s
             JOIN telegram_session_leases l ON l.key = s.id::text WHERE s.id = $1`,
          [id],
        )
      )[0];

    const waitUntil = async (done: (r: { status: string; check_failures: number }) => boolean) => {
      const deadline = Date.now() + 30 * INTERVAL_MS;
      while (!done(await row())) {
        if (Date.now() > deadline) throw new Error(`not reached: ${JSON.stringify(await row())}`);
        await sleep(25);
      }
    };

    world.emulator.unresponsive = true;
    try {
      // A, which holds the session, finds it unreachable twice; then A stops (a rolling update) and
      // B's watchdog takes the session over.
      await waitUntil((r) => r.check_failures >= 2);
      const [a, b] = replicas;
      const byA = (await unreachable())[0];
      await a.close();
      expect((await row()).status).toBe('connected');
      await waitUntil((r) => r.status === 'error');
      const byB = (await b.inject('/metrics')).body;
      const checksByB = metric(byB, 'telegram_watchdog_checks_total', {
        kind: 'session',
        result: 'unreachable',
      });
      const { check_failures } = await row();
      process.stdout.write(
        `unreachable checks: ${byA} by A before it stopped, ${checksByB} by B until the session turned error; check_failures ${check_failures}\n`,
      );
      expect(byA).toBeLessThan(FAILURES);
      expect(check_failures).toBeGreaterThanOrEqual(FAILURES);
      // B counted on from A's checks: FAILURES in all, not FAILURES of its own (one more may have been
      // under way on A while it stopped).
      expect(checksByB).toBeLessThanOrEqual(FAILURES - byA + 1);
      expect(checksByB).toBeLessThan(FAILURES);
    } finally {
      world.emulator.unresponsive = false;
    }
    const deadline = Date.now() + 30 * INTERVAL_MS;
    while ((await row()).status !== 'connected') {
      if (Date.now() > deadline) throw new Error('the session never came back');
      await sleep(50);
    }
    expect((await row()).check_failures).toBe(0);
    await replicas[1].close();
  }, 60_000);
});
