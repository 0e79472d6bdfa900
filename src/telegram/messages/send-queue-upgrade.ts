import type { Pool, PoolClient } from 'pg';
import type { JobInsert } from 'pg-boss';
import type { SendJob } from './send-queue';

/**
 * Moving the send queue from pg-boss 10 (schema version 24) to pg-boss 12, which migrates only from
 * version 25 on. Each message row names the job that stands for it (`job_id`) and says what is
 * left to do, so the queue can be rebuilt from our own rows instead of pg-boss 10's tables:
 * 1. `retirePgBoss10Schema` renames the old `pgboss` schema aside before pg-boss 12 starts, which
 *    then installs its own schema;
 * 2. `requeueFromRetiredSchema` gives every unfinished message (queued, waiting, or sending when a
 *    worker died) its job again, with the same id and not before the time the message waits for,
 *    then drops the retired schema.
 * Both run under one advisory lock, so replicas starting together do it once; a crash between the
 * steps is finished by the next start (the retired schema is still there; jobs are inserted by id,
 * so a job inserted twice is one job).
 */
const SCHEMA = 'pgboss';
const RETIRED = 'pgboss_v10_retired';
/** pg-boss 12's oldest starting point: a lower version is pg-boss 10's (24) or older. */
const FIRST_SUPPORTED_VERSION = 25;
const LOCK_KEY = 'integration-service:send-queue-upgrade';

export async function retirePgBoss10Schema(pool: Pool): Promise<boolean> {
  return locked(pool, async (client) => {
    const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [
      `${SCHEMA}.version`,
    ]);
    if (!rows[0].exists) return false;
    const version = await client.query<{ version: number }>(`SELECT version FROM ${SCHEMA}.version`);
    if ((version.rows[0]?.version ?? FIRST_SUPPORTED_VERSION) >= FIRST_SUPPORTED_VERSION) return false;
    await client.query(`DROP SCHEMA IF EXISTS ${RETIRED} CASCADE`);
    await client.query(`ALTER SCHEMA ${SCHEMA} RENAME TO ${RETIRED}`);
    return true;
  });
}

/** Answers how many jobs it queued again, or null when there was no retired schema. */
export async function requeueFromRetiredSchema(
  pool: Pool,
  insert: (jobs: JobInsert<SendJob>[]) => Promise<void>,
): Promise<number | null> {
  return locked(pool, async (client) => {
    const { rows } = await client.query<{ exists: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists`,
      [RETIRED],
    );
    if (!rows[0].exists) return null;
    const unfinished = await client.query<{ id: string; job_id: string; start_after: Date | null }>(
      `SELECT id, job_id, GREATEST(send_at, not_before) AS start_after
         FROM telegram_messages
        WHERE status IN ('queued', 'waiting', 'sending') AND job_id IS NOT NULL`,
    );
    const jobs = unfinished.rows.map((row): JobInsert<SendJob> => ({
      id: row.job_id,
      data: { message_id: row.id },
      ...(row.start_after && row.start_after.getTime() > Date.now() ? { startAfter: row.start_after } : {}),
    }));
    for (let i = 0; i < jobs.length; i += 500) await insert(jobs.slice(i, i + 500));
    await client.query(`DROP SCHEMA ${RETIRED} CASCADE`);
    return jobs.length;
  });
}

/**
 * Runs `work` holding a session advisory lock on one client of the pool. A checked-out client has no
 * error listener of the pool's: one is added here, so a connection the server ends while the client
 * waits between queries fails the work instead of the process; such a client is destroyed, not reused.
 */
async function locked<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK_KEY]);
    const result = await work(client);
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_KEY]);
    return result;
  } catch (error) {
    lost ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.removeListener('error', onError);
    // A failed client leaves with its session, so its advisory lock goes with it.
    client.release(lost);
  }
}
