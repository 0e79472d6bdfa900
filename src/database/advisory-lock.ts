import type { DataSource, QueryRunner } from 'typeorm';

/** What `withAdvisoryLock` answers when `wait` is off and another session holds the lock. */
export const LOCK_BUSY = Symbol('LOCK_BUSY');

const POLL_MS = 200;

async function tryLock(runner: QueryRunner, lockId: number): Promise<boolean> {
  const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [lockId])) as {
    locked: boolean;
  }[];
  return locked;
}

/**
 * Runs `work` on one dedicated connection while it holds the session-level advisory lock `lockId`, and
 * unlocks and releases that connection afterwards. `wait: false` takes the lock only if it is free (else
 * LOCK_BUSY, nothing run); `wait: true` polls pg_try_advisory_lock every 200 ms. Polling rather than a
 * blocking pg_advisory_lock: that would wait inside a statement that holds a snapshot, and CREATE INDEX
 * CONCURRENTLY in the migrating replica waits for every such snapshot — the two would wait forever.
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  lockId: number,
  options: { wait: true },
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T>;
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  lockId: number,
  options: { wait: boolean },
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T | typeof LOCK_BUSY>;
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  lockId: number,
  { wait }: { wait: boolean },
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T | typeof LOCK_BUSY> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    while (!(await tryLock(runner, lockId))) {
      if (!wait) return LOCK_BUSY;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    try {
      return await work(runner);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [lockId]);
    }
  } finally {
    await runner.release();
  }
}
