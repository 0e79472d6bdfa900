import { Pool } from 'pg';
import { DeadlineClient } from '../src/database/deadline-client';
import { createTestDatabase, type TestDatabase } from './support/database';

/** The pool's client with the client-side query bound (DATABASE_QUERY_TIMEOUT_MS), on a real server. */
describe('DeadlineClient: query_timeout without pg’s own timer', () => {
  let db: TestDatabase;
  const clients: DeadlineClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });
  afterAll(() => db.drop());

  const connect = async (queryTimeoutMs?: number) => {
    const client = new DeadlineClient({ connectionString: db.url, query_timeout: queryTimeoutMs });
    clients.push(client);
    await client.connect();
    return client;
  };

  it('answers in every form pg offers: text + values, a config object, a callback', async () => {
    const client = await connect(5000);
    expect((await client.query('SELECT $1::int AS n', [7])).rows).toEqual([{ n: 7 }]);
    expect((await client.query({ text: 'SELECT $1::int + 1 AS n', values: [7] })).rows).toEqual([{ n: 8 }]);
    const viaCallback = await new Promise<unknown>((resolve, reject) => {
      client.query('SELECT 3 AS n', (error: Error | null, result: { rows: unknown }) =>
        error ? reject(error) : resolve(result.rows),
      );
    });
    expect(viaCallback).toEqual([{ n: 3 }]);
    // A server error still arrives as the error it is.
    await expect(client.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
  });

  it('fails a query that outlives the bound with "Query read timeout", once, and ends the connection', async () => {
    const client = await connect(300);
    const calls: (Error | null)[] = [];
    const started = Date.now();
    const failed = await new Promise<Error | null>((resolve) => {
      client.query('SELECT pg_sleep(1.5)', (error: Error | null) => {
        calls.push(error);
        resolve(error);
      });
    });
    const elapsed = Date.now() - started;
    expect(failed?.message).toBe('Query read timeout');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1400);
    // The late answer (or the connection's end) never reaches the caller a second time.
    await new Promise((r) => setTimeout(r, 1600));
    expect(calls).toHaveLength(1);
    await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable|Connection terminated/);
  });

  it('in a pool: the timed-out connection is dropped and the next query gets a fresh one', async () => {
    const pool = new Pool({ connectionString: db.url, max: 2, query_timeout: 300, Client: DeadlineClient });
    try {
      await expect(pool.query('SELECT pg_sleep(1.5)')).rejects.toThrow('Query read timeout');
      expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      await new Promise((r) => setTimeout(r, 1600));
      expect(pool.totalCount).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('without query_timeout a query takes as long as it takes', async () => {
    const client = await connect(undefined);
    expect((await client.query('SELECT pg_sleep(0.4), 1 AS n')).rows).toEqual([{ pg_sleep: '', n: 1 }]);
  });
});
