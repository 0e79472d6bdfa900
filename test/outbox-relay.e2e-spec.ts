import { DataSource } from 'typeorm';
import { standaloneDataSourceOptions } from '../src/standalone-data-source';
import type { OutboxRow } from '../src/events/outbox/cloud-event';
import { OutboxRepository } from '../src/events/outbox/outbox.repository';
import { OutboxService } from '../src/events/outbox/outbox.service';
import { createTestDatabase, type TestDatabase } from './support/database';

/**
 * The outbox relay's round against real PostgreSQL, without a service around it: at-least-once when
 * the relay fails between publish and mark, one replica at a time, order, pruning, resume.
 */
describe('outbox relay round', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repository: OutboxRepository;
  let outbox: OutboxService;

  const add = (userId: number, subject: string, n: number) =>
    ds.transaction((tx) =>
      outbox.add(tx, {
        type: 'telegram.bot.added',
        subject,
        userId,
        data: { n, phone: '+9996611234', bot_token: 'secret' },
      }),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(
      standaloneDataSourceOptions({
        url: db.url,
        poolSize: 4,
        statementTimeoutMs: 10_000,
        queryTimeoutMs: 11_000,
        connectTimeoutMs: 2000,
      }),
    );
    await ds.initialize();
    repository = new OutboxRepository(ds);
    outbox = new OutboxService(ds);
    outbox.onModuleInit();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('writes inside the transaction only, scrubbed; a rolled-back change leaves no event', async () => {
    await expect(
      outbox.add(ds.manager, { type: 'telegram.bot.added', subject: 'x', userId: 1, data: {} }),
    ).rejects.toThrow(/inside the state change transaction/);
    await ds
      .transaction(async (tx) => {
        await outbox.add(tx, {
          type: 'telegram.bot.added',
          subject: 'bots/rolled-back',
          userId: 1,
          data: {},
        });
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    const woken: number[] = [];
    const stop = outbox.onCommitted(() => woken.push(1));
    await add(1, 'bots/a', 1);
    stop();
    expect(woken).toEqual([1]);
    const rows = await db.query<{ subject: string; data: Record<string, unknown> }>(
      'SELECT subject, data FROM integration_events',
    );
    expect(rows).toEqual([
      { subject: 'bots/a', data: { n: 1, phone: '+999*****34', bot_token: '[REDACTED]' } },
    ]);
  });

  it('a failure between publish and mark publishes the rows again next round (at-least-once), in seq order', async () => {
    await add(1, 'bots/a', 2);
    await add(1, 'bots/b', 3);
    const published: string[] = [];
    await expect(
      repository.relayRound(100, (rows) => {
        published.push(...rows.map((r) => r.id));
        return Promise.reject(new Error('crashed before the mark'));
      }),
    ).rejects.toThrow('crashed before the mark');
    const again = await repository.relayRound(100, (rows) => {
      published.push(...rows.map((r) => r.id));
      return Promise.resolve();
    });
    expect(again).not.toBe('busy');
    const ids = (again as OutboxRow[]).map((r) => r.id);
    expect(published).toEqual([...ids, ...ids]);
    expect((again as OutboxRow[]).map((r) => r.data.n)).toEqual([1, 2, 3]);
    expect(await repository.backlog()).toEqual({ count: 0, oldestAgeSeconds: 0 });
    expect(await repository.relayRound(100, () => Promise.resolve())).toEqual([]);
  });

  it('two replicas: while one round holds the lock the other is busy and publishes nothing', async () => {
    await add(2, 'bots/c', 4);
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = repository.relayRound(100, async () => {
      entered();
      await holding;
    });
    await inside;
    const second = await repository.relayRound(100, () => Promise.reject(new Error('must not publish')));
    expect(second).toBe('busy');
    release();
    expect(((await first) as OutboxRow[]).map((r) => r.data.n)).toEqual([4]);
  });

  it('resume reads the user’s later events; prune removes published rows past retention', async () => {
    const first = await add(3, 'bots/d', 5);
    await add(3, 'bots/d', 6);
    await add(4, 'bots/e', 7);
    const later = await repository.after(3, first, 10);
    expect(later?.map((r) => r.data.n)).toEqual([6]);
    expect(await repository.after(4, first, 10)).toBeNull(); // another user's id is unknown to this one
    await repository.relayRound(100, () => Promise.resolve());
    await db.query(
      "UPDATE integration_events SET published_at = now() - interval '80 hours' WHERE user_id = 3",
    );
    expect(await repository.prune(72)).toBe(2);
    expect(await repository.after(3, first, 10)).toBeNull();
  });
});
