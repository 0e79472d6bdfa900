import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `telegram_session_leases.check_failures`: how many watchdog checks in a row found the session
 * unreachable, counted in the database so that the replicas checking it in turn count together
 * (TELEGRAM_WATCHDOG_FAILURES is per session, not per replica). Back to 0 when a check gets an answer.
 */
export class WatchdogCheckFailures1764600000000 implements MigrationInterface {
  name = 'WatchdogCheckFailures1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE telegram_session_leases ADD COLUMN check_failures INTEGER NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE telegram_session_leases DROP COLUMN IF EXISTS check_failures`);
  }
}
