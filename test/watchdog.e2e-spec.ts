import type { TestApp } from './support/app';
import { bearer } from './support/app';
import { createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const INTERVAL_MS = 600;
const SECRET_PART = 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await sleep(50);
  }
  return Date.now() - started;
}

function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (match[2] ?? '').includes(`${k}="${v}"`)))
      sum += Number(match[3]);
  }
  return sum;
}

describe('session watchdog', () => {
  let world: TelegramWorld;
  let t: TestApp;
  const metrics = async () => (await t.inject('/metrics')).body;

  beforeAll(async () => {
    // In process: a 300 ms call timeout is shorter than a fresh auth-key exchange over TCP on a busy machine.
    world = await createTelegramWorld({}, { transport: 'in-process' });
    t = await world.start({
      TELEGRAM_WATCHDOG_INTERVAL_MS: String(INTERVAL_MS),
      TELEGRAM_WATCHDOG_FAILURES: '2',
      TELEGRAM_CALL_TIMEOUT_MS: '300',
      TELEGRAM_LEASE_TTL_MS: '3000',
    });
  });
  afterAll(() => world.cleanup());

  it('checks connected sessions once per interval (updates.GetState) and notes when', async () => {
    const id = await loginByCode(t, 701, '+9996610701');
    await waitFor(
      async () =>
        metric(await metrics(), 'telegram_watchdog_checks_total', { kind: 'session', result: 'ok' }) >= 2,
      10 * INTERVAL_MS,
    );
    const [lease] = await world.db.query<{ checked_at: Date | null }>(
      'SELECT checked_at FROM telegram_session_leases WHERE key = $1',
      [id],
    );
    expect(lease.checked_at).toBeInstanceOf(Date);
    expect(world.emulator.requestCount('updates.GetState')).toBeGreaterThanOrEqual(2);
    const text = await metrics();
    expect(
      metric(text, 'telegram_watchdog_check_duration_seconds_count', { kind: 'session' }),
    ).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/telegram_watchdog_last_success_age_seconds\{kind="session"\} \d/);
    expect(metric(text, 'telegram_watchdog_rounds_total')).toBeGreaterThanOrEqual(2);
    const [row] = await world.db.query<{ status: string }>(
      'SELECT status FROM telegram_sessions WHERE id = $1',
      [id],
    );
    expect(row.status).toBe('connected');
  });

  it('a session revoked on Telegram’s side turns revoked within the interval, with its audit row', async () => {
    const id = await loginByCode(t, 702, '+9996610702');
    const revoke = await t.inject({
      method: 'POST',
      url: '/api/v1/dev/telegram-emulator/revoke',
      headers: bearer(t.token(702)),
      payload: { phone: '+9996610702' },
    });
    expect(revoke.statusCode).toBe(200);
    const took = await waitFor(async () => {
      const [row] = await world.db.query<{ status: string }>(
        'SELECT status FROM telegram_sessions WHERE id = $1',
        [id],
      );
      return row.status === 'revoked';
    }, 3 * INTERVAL_MS);
    expect(took).toBeLessThanOrEqual(3 * INTERVAL_MS);
    const [row] = await world.db.query<{ is_active: boolean; last_error: string; session_data: unknown }>(
      'SELECT is_active, last_error, session_data FROM telegram_sessions WHERE id = $1',
      [id],
    );
    expect(row).toEqual({ is_active: false, last_error: 'AUTH_KEY_UNREGISTERED', session_data: {} });
    const audit = await world.db.query<{ status: string; details: Record<string, unknown> }>(
      `SELECT status, details FROM integration_logs WHERE user_id = 702 AND action = 'watchdog_check'`,
    );
    expect(audit).toEqual([{ status: 'error', details: expect.objectContaining({ session_id: id }) }]);
    expect(
      metric(await metrics(), 'telegram_watchdog_checks_total', { kind: 'session', result: 'revoked' }),
    ).toBe(1);
    const listed = await t.inject({
      url: '/api/v1/telegram/accounts?active_only=false',
      headers: bearer(t.token(702)),
    });
    expect(listed.json()[0].session_metadata).toMatchObject({ status: 'revoked' });
  });

  it('a bot revoked in BotFather turns revoked within the interval', async () => {
    const added = await t.inject({
      method: 'POST',
      url: '/api/v1/telegram/bots',
      headers: bearer(t.token(703)),
      payload: { bot_token: `999771${'0703'}:${SECRET_PART}w1` },
    });
    expect(added.statusCode).toBe(201);
    const id = added.json().id as string;
    const revoke = await t.inject({
      method: 'POST',
      url: '/api/v1/dev/telegram-emulator/bots/revoke',
      headers: bearer(t.token(703)),
      payload: { bot_id: id },
    });
    expect(revoke.statusCode).toBe(200);
    await waitFor(async () => {
      const [row] = await world.db.query<{ status: string }>(
        'SELECT status FROM telegram_bots WHERE id = $1',
        [id],
      );
      return row.status === 'revoked';
    }, 3 * INTERVAL_MS);
    expect(
      metric(await metrics(), 'telegram_watchdog_checks_total', { kind: 'bot', result: 'revoked' }),
    ).toBe(1);
  });

  it('Telegram not answering: error with the reason after TELEGRAM_WATCHDOG_FAILURES checks, connected again once it answers', async () => {
    const id = await loginByCode(t, 704, '+9996610704');
    const status = async () =>
      (
        await world.db.query<{ status: string; last_error: string | null; is_active: boolean }>(
          'SELECT status, last_error, is_active FROM telegram_sessions WHERE id = $1',
          [id],
        )
      )[0];
    world.emulator.unresponsive = true;
    try {
      await waitFor(async () => (await status()).status === 'error', 10 * INTERVAL_MS);
      expect(await status()).toEqual({ status: 'error', last_error: 'unreachable:timeout', is_active: true });
      expect(
        metric(await metrics(), 'telegram_watchdog_checks_total', { kind: 'session', result: 'unreachable' }),
      ).toBeGreaterThanOrEqual(2);
    } finally {
      world.emulator.unresponsive = false;
    }
    await waitFor(async () => (await status()).status === 'connected', 10 * INTERVAL_MS);
    expect(await status()).toEqual({ status: 'connected', last_error: null, is_active: true });
    const audit = await world.db.query<{ status: string; details: Record<string, unknown> }>(
      `SELECT status, details FROM integration_logs WHERE user_id = 704 AND action = 'watchdog_check' ORDER BY created_at`,
    );
    expect(audit.map((a) => [a.status, a.details.reason ?? a.details.outcome])).toEqual([
      ['error', 'dependency_unavailable'],
      ['success', 'recovered'],
    ]);
    // The account still works through the API.
    const again = await t.inject({
      method: 'POST',
      url: `/api/v1/telegram/accounts/${id}/reconnect`,
      headers: bearer(t.token(704)),
    });
    expect(again.statusCode).toBe(200);
  });
});
