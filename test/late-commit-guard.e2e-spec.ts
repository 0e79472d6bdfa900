import { createTestDatabase, type TestDatabase } from './support/database';

/**
 * Migration LateCommitGuard: a COMMIT PostgreSQL processes after the deadline ChangeCommit set for it
 * (a frozen server resuming with a COMMIT in its buffer, long after the request was answered 503) is
 * refused with SQLSTATE IS001; before the deadline, or without one, it commits as always.
 */
describe('late-commit guard', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const change = async (deadlineMs: number | undefined, action: string) => {
    await db.query('BEGIN');
    try {
      if (deadlineMs !== undefined)
        await db.query(`SELECT set_config('integration.commit_before', $1, true)`, [String(deadlineMs)]);
      await db.query(
        `INSERT INTO integration_logs (user_id, integration_type, action, status) VALUES (1, 'telegram', $1, 'success')`,
        [action],
      );
      await db.query('COMMIT');
      return 'committed';
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      return (error as { code?: string }).code;
    }
  };
  const stored = async (action: string) =>
    (await db.query('SELECT 1 FROM integration_logs WHERE action = $1', [action])).length;

  it('refuses a COMMIT after its deadline, stores nothing; commits before it or without one', async () => {
    expect(await change(Date.now() - 1000, 'late')).toBe('IS001');
    expect(await stored('late')).toBe(0);
    expect(await change(Date.now() + 60_000, 'in_time')).toBe('committed');
    expect(await stored('in_time')).toBe(1);
    expect(await change(undefined, 'no_deadline')).toBe('committed');
    expect(await stored('no_deadline')).toBe(1);
  });
});
