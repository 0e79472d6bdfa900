import PgBossV10 from 'pg-boss-v10';
import { Client } from 'pg';
import type { TestApp } from './support/app';
import { history, isEnded, message, send, syncChats, waitFor } from './support/messages';
import { createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

/**
 * A database that main left before the Node 24 upgrade — its send queue in pg-boss 10's schema
 * (version 24), which pg-boss 12 cannot migrate — keeps its queued messages: the service retires the
 * old schema and queues every unfinished message again under the job id its row names.
 */
describe('Send queue: upgrading from pg-boss 10', () => {
  let world: TelegramWorld;
  const USER = 1161;

  beforeAll(async () => {
    world = await createTelegramWorld();
  });
  afterAll(() => world.cleanup());

  async function sql<T>(text: string): Promise<T[]> {
    const client = new Client({ connectionString: world.db.url });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  }

  it('keeps a soon and a later message queued by pg-boss 10, sends the first when due', async () => {
    let t: TestApp = await world.start({ SEND_POLL_INTERVAL_MS: '500' });
    const session = await loginByCode(t, USER, '+9996611161');
    const chats = await syncChats(t, USER, session);
    const channel = chats.get(1)?.id;
    const soon = new Date(Date.now() + 6_000).toISOString();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const ids: string[] = [];
    for (const sendAt of [soon, later]) {
      const res = await send(t, USER, {
        session_id: session,
        channel_id: channel,
        text: `at ${sendAt}`,
        send_at: sendAt,
      });
      expect(res.statusCode).toBe(202);
      ids.push(res.json<{ message_id: string }>().message_id);
    }
    await t.close();

    // The database as main left it: the same messages, their jobs in pg-boss 10's schema.
    const rows = await sql<{ id: string; job_id: string; send_at: Date }>(
      `SELECT id, job_id, send_at FROM telegram_messages ORDER BY send_at`,
    );
    expect(rows.map((r) => r.id)).toEqual(ids);
    await sql('DROP SCHEMA pgboss CASCADE');
    const old = new PgBossV10({ connectionString: world.db.url, schedule: false, supervise: false });
    old.on('error', () => undefined);
    await old.start();
    await old.createQueue('telegram-send', { name: 'telegram-send', policy: 'standard', retryLimit: 1000 });
    // Only a lane's first open message has a job; the next one gets its own when the first ends.
    expect(rows.map((r) => r.job_id !== null)).toEqual([true, false]);
    const [head] = rows;
    expect(
      await old.send('telegram-send', { message_id: head.id }, { id: head.job_id, startAfter: head.send_at }),
    ).toBe(head.job_id);
    await old.stop({ graceful: false, wait: true });
    expect(await sql<{ version: number }>('SELECT version FROM pgboss.version')).toEqual([{ version: 24 }]);

    t = await world.start({ SEND_POLL_INTERVAL_MS: '500' });
    // A restarted service may find the session busy on its first try (a retry, counted as an attempt).
    const { last } = await waitFor(t, USER, ids[0], isEnded, 30_000);
    expect(last.status).toBe('sent');
    const delivered = (await history(t, USER, chats.get(1)?.channel_id as string)).filter(
      (m) => m.text === `at ${soon}`,
    );
    expect(delivered).toHaveLength(1);
    expect((await message(t, USER, ids[1])).status).toBe('queued');
    const [version] = await sql<{ version: number }>('SELECT version FROM pgboss.version');
    expect(version.version).toBeGreaterThanOrEqual(25);
    const [next] = await sql<{ job_id: string }>(
      `SELECT job_id FROM telegram_messages WHERE id = '${ids[1]}'`,
    );
    const jobs = await sql<{ id: string; state: string; start_after: Date }>(
      `SELECT id, state, start_after FROM pgboss.job WHERE id IN ('${head.job_id}', '${next.job_id}')`,
    );
    const job = (id: string) => jobs.find((j) => j.id === id);
    // The job pg-boss 10 held ran in pg-boss 12; the next message's job waits for its time.
    expect(job(head.job_id)?.state).toBe('completed');
    expect(job(next.job_id)?.state).toBe('created');
    expect(Math.abs((job(next.job_id)?.start_after.getTime() ?? 0) - rows[1].send_at.getTime())).toBeLessThan(
      1000,
    );
    expect(await sql(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pgboss%' ORDER BY 1`)).toEqual([
      { nspname: 'pgboss' },
    ]);
    await t.close();
  });
});
