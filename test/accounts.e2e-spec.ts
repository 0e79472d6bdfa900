import type { TestDatabase } from './support/database';
import { bearer, openTestApp, type OpenedTestApp } from './support/app';

describe('GET /api/v1/telegram/accounts', () => {
  let t: OpenedTestApp;
  let db: TestDatabase;

  async function insertSession(
    userId: number,
    phone: string,
    isActive: boolean,
    status = 'connected',
  ): Promise<string> {
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO telegram_sessions (user_id, phone, session_data, session_metadata, status, is_active)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        userId,
        phone,
        { cipher: 'local-aes-256-gcm', key_version: 1, ciphertext: 'b64-opaque' },
        // A key the service never wrote: the response must not pass it through.
        { note: 'not part of the contract' },
        status,
        isActive,
      ],
    );
    return row.id;
  }

  beforeAll(async () => {
    t = await openTestApp({ RATE_LIMIT_ENABLED: 'false' });
    db = t.db;
  });
  afterAll(() => t.close());

  it("returns only the caller's rows, active ones by default, in the SPEC shape", async () => {
    const mine = await insertSession(101, '+9996621234', true);
    await insertSession(101, '+9996621235', false, 'disconnected');
    const theirs = await insertSession(202, '+9996631234', true);

    const res = await t.inject({ url: '/api/v1/telegram/accounts', headers: bearer(t.token(101)) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toHaveLength(1);
    expect(body[0]).toEqual({
      id: mine,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      user_id: 101,
      phone: '+9996621234',
      session_metadata: { status: 'connected' },
      is_active: true,
    });
    expect(JSON.stringify(body)).not.toContain('ciphertext');
    expect(JSON.stringify(body)).not.toContain(theirs);
  });

  it('active_only=false includes inactive rows; the other user still sees only theirs', async () => {
    const all = await t.inject({
      url: '/api/v1/telegram/accounts?active_only=false',
      headers: bearer(t.token(101)),
    });
    expect(all.json().map((a: { user_id: number }) => a.user_id)).toEqual([101, 101]);
    const other = await t.inject({
      url: '/api/v1/telegram/accounts?active_only=false',
      headers: bearer(t.token(202)),
    });
    expect(other.json()).toHaveLength(1);
    expect(other.json()[0].user_id).toBe(202);
  });

  it('a user with no accounts gets an empty list', async () => {
    const res = await t.inject({ url: '/api/v1/telegram/accounts', headers: bearer(t.token(999)) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
  });

  it.each([
    ['active_only=yes', 'active_only'],
    ['active_only=1', 'active_only'],
    ['unknown=1', 'unknown'],
  ])('bad query %s → 400 naming %s', async (query, field) => {
    const res = await t.inject({ url: `/api/v1/telegram/accounts?${query}`, headers: bearer(t.token(101)) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ field })],
    });
  });

  it('updated_at is maintained by the trigger', async () => {
    const id = await insertSession(303, '+9996611111', true);
    const [before] = await db.query<{ updated_at: Date }>(
      'SELECT updated_at FROM telegram_sessions WHERE id = $1',
      [id],
    );
    await new Promise((r) => setTimeout(r, 20));
    await db.query(`UPDATE telegram_sessions SET status = 'disconnected' WHERE id = $1`, [id]);
    const [after] = await db.query<{ updated_at: Date }>(
      'SELECT updated_at FROM telegram_sessions WHERE id = $1',
      [id],
    );
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
  });
});
