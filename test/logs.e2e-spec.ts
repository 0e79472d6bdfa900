import { SchedulerRegistry } from '@nestjs/schedule';
import { AuditLogService } from '../src/logs/audit-log.service';
import { LogRetentionService } from '../src/logs/log-retention.service';
import type { TestDatabase } from './support/database';
import { bearer, openTestApp, type OpenedTestApp } from './support/app';

interface Row {
  user: number;
  type?: string;
  status: 'success' | 'error' | 'pending';
  daysAgo: number;
  action?: string;
}

describe('audit log: GET /api/v1/telegram/logs and /stats/errors', () => {
  let t: OpenedTestApp;
  let db: TestDatabase;

  async function insert(rows: Row[]): Promise<void> {
    for (const r of rows) {
      await db.query(
        `INSERT INTO integration_logs (user_id, integration_type, action, status, details, created_at)
         VALUES ($1, $2, $3, $4, '{}', now() - make_interval(secs => $5))`,
        [r.user, r.type ?? 'telegram', r.action ?? 'sign_in', r.status, r.daysAgo * 86400],
      );
    }
  }

  const get = (user: number, query = '') =>
    t.inject({ url: `/api/v1/telegram/logs${query ? `?${query}` : ''}`, headers: bearer(t.token(user)) });
  const stats = (user: number, query = '') =>
    t.inject({
      url: `/api/v1/telegram/stats/errors${query ? `?${query}` : ''}`,
      headers: bearer(t.token(user)),
    });

  beforeAll(async () => {
    t = await openTestApp({ RATE_LIMIT_ENABLED: 'false' });
    db = t.db;
    // User 10: 25 telegram rows over 0.5..12.5 days (statuses cycle), 3 'vk' rows, 2 rows 40 days old.
    const rows: Row[] = [];
    for (let i = 0; i < 25; i++)
      rows.push({
        user: 10,
        status: (['success', 'error', 'pending'] as const)[i % 3],
        daysAgo: 0.5 + i * 0.5,
      });
    rows.push(
      { user: 10, type: 'vk', status: 'error', daysAgo: 1 },
      { user: 10, type: 'vk', status: 'success', daysAgo: 2 },
    );
    rows.push({ user: 10, type: 'vk', status: 'success', daysAgo: 3 });
    rows.push({ user: 10, status: 'error', daysAgo: 40 }, { user: 10, status: 'success', daysAgo: 40 });
    // User 20: a few rows that user 10 must never see.
    rows.push({ user: 20, status: 'error', daysAgo: 1 }, { user: 20, status: 'success', daysAgo: 2 });
    await insert(rows);
  });
  afterAll(() => t.close());

  it('defaults: telegram, 30 days, page 1 of 20, newest first, only the caller', async () => {
    const res = await get(10);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 25, page: 1, size: 20, pages: 2 });
    expect(body.items).toHaveLength(20);
    expect(
      body.items.every(
        (i: { user_id: number; integration_type: string }) =>
          i.user_id === 10 && i.integration_type === 'telegram',
      ),
    ).toBe(true);
    const times = body.items.map((i: { created_at: string }) => Date.parse(i.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(Object.keys(body.items[0]).sort()).toEqual(
      [
        'action',
        'created_at',
        'details',
        'error_message',
        'id',
        'integration_type',
        'status',
        'updated_at',
        'user_id',
      ].sort(),
    );
    expect(typeof body.next_cursor).toBe('string');
  });

  it('the last page, an empty page past the end, and size 100', async () => {
    const last = (await get(10, 'page=2')).json();
    expect(last.items).toHaveLength(5);
    expect(last.next_cursor).toBeNull();
    const past = (await get(10, 'page=3')).json();
    expect(past).toMatchObject({ items: [], total: 25, page: 3, pages: 2, next_cursor: null });
    const big = (await get(10, 'size=100&days_back=365')).json();
    expect(big).toMatchObject({ total: 27, size: 100, pages: 1 });
    expect(big.items).toHaveLength(27);
  });

  it('filters by status, type and period', async () => {
    const errors = (await get(10, 'log_status=error')).json();
    expect(errors.total).toBe(8);
    expect(errors.items.every((i: { status: string }) => i.status === 'error')).toBe(true);
    expect((await get(10, 'integration_type=vk')).json().total).toBe(3);
    expect((await get(10, 'days_back=5')).json().total).toBe(9);
    expect((await get(10, 'integration_type=email')).json()).toMatchObject({ items: [], total: 0, pages: 0 });
  });

  it('another user sees only their own rows', async () => {
    const body = (await get(20, 'days_back=365')).json();
    expect(body.total).toBe(2);
    expect(body.items.every((i: { user_id: number }) => i.user_id === 20)).toBe(true);
    expect((await get(30)).json()).toMatchObject({ items: [], total: 0 });
  });

  it('a cursor walk returns every row exactly once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `size=4&days_back=365${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await get(10, query)).json();
      if (cursor) expect(body.page).toBeNull();
      seen.push(...body.items.map((i: { id: string }) => i.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toHaveLength(27);
    expect(new Set(seen).size).toBe(27);
    const offsetIds = (await get(10, 'size=100&days_back=365')).json().items.map((i: { id: string }) => i.id);
    expect(seen).toEqual(offsetIds);
  });

  it('cursor paging keeps the order for rows sharing a timestamp (id breaks ties)', async () => {
    await db.query(
      `INSERT INTO integration_logs (user_id, integration_type, action, status, created_at)
       SELECT 40, 'telegram', 'tie', 'success', '2026-11-20T10:00:00.123456Z' FROM generate_series(1, 7)`,
    );
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const body: { items: { id: string }[]; next_cursor: string | null } = (
        await get(40, `size=3&days_back=365${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      ids.push(...body.items.map((i: { id: string }) => i.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(7);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it.each([
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['size=0', 'size'],
    ['size=101', 'size'],
    ['days_back=0', 'days_back'],
    ['days_back=366', 'days_back'],
    ['days_back=1.5', 'days_back'],
    ['log_status=failed', 'log_status'],
    [`integration_type=${'x'.repeat(51)}`, 'integration_type'],
    ['integration_type=a%20b', 'integration_type'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('{"t":"x","i":"y"}').toString('base64url')}`, 'cursor'],
    ['sort=asc', 'sort'],
  ])('bad parameter %s → 400 naming %s', async (query, field) => {
    const res = await get(10, query);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('error statistics: arithmetic over the rows this test wrote', async () => {
    // Default 7 days for user 10: telegram rows at 0.5..6.5 days (13 rows: i=0..12) + 3 vk rows.
    const body = (await stats(10)).json();
    // telegram i=0..12 → statuses cycle success,error,pending: 5 success, 4 error, 4 pending; vk: 1 error, 2 success.
    expect(body).toEqual({
      total_actions: 16,
      error_count: 5,
      success_count: 7,
      error_rate: 0.3125,
      period_days: 7,
    });
    const year = (await stats(10, 'days_back=365')).json();
    expect(year).toMatchObject({ total_actions: 30, period_days: 365 });
    expect(year.error_rate).toBe(Math.round((year.error_count / 30) * 10000) / 10000);
  });

  it('error statistics: no rows → zeros, rate 0; rounding to 4 places', async () => {
    expect((await stats(31)).json()).toEqual({
      total_actions: 0,
      error_count: 0,
      success_count: 0,
      error_rate: 0,
      period_days: 7,
    });
    await insert([
      { user: 32, status: 'error', daysAgo: 0.1 },
      { user: 32, status: 'success', daysAgo: 0.1 },
      { user: 32, status: 'success', daysAgo: 0.1 },
    ]);
    expect((await stats(32, 'days_back=1')).json()).toEqual({
      total_actions: 3,
      error_count: 1,
      success_count: 2,
      error_rate: 0.3333,
      period_days: 1,
    });
    for (const q of ['days_back=0', 'days_back=400', 'days_back=x', 'other=1']) {
      expect((await stats(32, q)).statusCode).toBe(400);
    }
  });

  it('AuditLogService records sanitized rows and never fails the caller', async () => {
    const audit = t.app.get(AuditLogService);
    await audit.record({
      userId: 50,
      action: 'sign_in',
      status: 'error',
      details: {
        phone: '+9996621234',
        code: '22222',
        password: 'emulator-2fa',
        dc_id: 2,
        blob: 'x'.repeat(10),
      },
      errorMessage: 'PHONE_CODE_INVALID for password=emulator-2fa',
    });
    const [row] = await db.query<{ details: Record<string, unknown>; error_message: string }>(
      `SELECT details, error_message FROM integration_logs WHERE user_id = 50`,
    );
    expect(row.details).toMatchObject({
      phone: '+999*****34',
      code: '[REDACTED]',
      password: '[REDACTED]',
      dc_id: 2,
    });
    expect(JSON.stringify(row)).not.toContain('emulator-2fa');
    expect(JSON.stringify(row)).not.toContain('22222');

    await audit.record({
      userId: 51,
      action: 'huge',
      status: 'success',
      details: { blob: 'y'.repeat(10000) },
    });
    const [huge] = await db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM integration_logs WHERE user_id = 51`,
    );
    expect(huge.details).toMatchObject({ truncated: true });
    expect(JSON.stringify(huge.details).length).toBeLessThan(2000);

    // A write that the database refuses (status outside the CHECK) is logged and counted, not thrown.
    await expect(
      audit.record({ userId: 52, action: 'bad', status: 'weird' as 'error' }),
    ).resolves.toBeUndefined();
    const metrics = (await t.inject('/metrics')).body;
    expect(metrics).toContain('integration_log_write_failures_total{action="bad"} 1');
    expect(t.logs().some((l) => l.message === 'Could not write an audit log row')).toBe(true);
  });

  it('retention is scheduled on @nestjs/schedule (a minute after start, then hourly) until shutdown', async () => {
    const app = await openTestApp();
    const registry = app.app.get(SchedulerRegistry);
    try {
      expect(registry.getTimeouts()).toEqual(['audit-log-retention-first']);
      expect(registry.getIntervals().sort()).toEqual([
        'audit-log-retention',
        'events-outbox-gauges',
        'events-outbox-retention',
      ]);
    } finally {
      await app.close();
    }
    expect(registry.getTimeouts()).toEqual([]);
    expect(registry.getIntervals()).toEqual([]);
  });

  it('retention removes only rows older than the retention period, and one replica at a time', async () => {
    const app = await openTestApp({ LOG_RETENTION_DAYS: '30' });
    try {
      await app.db.query(
        `INSERT INTO integration_logs (user_id, integration_type, action, status, created_at)
         SELECT 1, 'telegram', 'old', 'success', now() - interval '31 days' - make_interval(secs => g) FROM generate_series(1, 12000) g`,
      );
      await app.db.query(
        `INSERT INTO integration_logs (user_id, integration_type, action, status, created_at)
         SELECT 1, 'telegram', 'recent', 'success', now() - interval '29 days' FROM generate_series(1, 5)`,
      );
      const retention = app.app.get(LogRetentionService);
      // Another replica holds the lock: this one skips the round.
      const other = await createTestDatabaseClient(app.db);
      await other.query('SELECT pg_advisory_lock(7420513002)');
      expect(await retention.sweep()).toBeNull();
      await other.query('SELECT pg_advisory_unlock(7420513002)');

      expect(await retention.sweep()).toBe(12000);
      const left = await app.db.query<{ action: string; n: string }>(
        `SELECT action, count(*) AS n FROM integration_logs GROUP BY action`,
      );
      expect(left).toEqual([{ action: 'recent', n: '5' }]);
      expect((await app.inject('/metrics')).body).toContain('integration_logs_retention_removed_total 12000');
      expect(await retention.sweep()).toBe(0);
    } finally {
      await app.close();
    }
  });
});

/** A second session on the same database (advisory locks are per session). */
async function createTestDatabaseClient(db: TestDatabase): Promise<{ query(sql: string): Promise<unknown> }> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: db.url });
  await client.connect();
  return {
    query: async (sql: string) => {
      const result = await client.query(sql);
      if (sql.includes('unlock')) await client.end();
      return result;
    },
  };
}
