import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A state change must not commit after the service has answered its request 503. When PostgreSQL
 * freezes with a COMMIT in its socket buffer, the service's query deadline passes, it answers 503, and
 * the frozen server would still apply that COMMIT once it resumes. ChangeCommit sets
 * `integration.commit_before` (epoch ms, transaction-local) just before each COMMIT; this deferred
 * trigger on the change's audit row refuses a COMMIT processed after it (SQLSTATE IS001), so a change
 * answered 503 is never stored. Transactions that do not set it are not affected.
 */
export class LateCommitGuard1764800000002 implements MigrationInterface {
  name = 'LateCommitGuard1764800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION refuse_late_commit() RETURNS trigger AS $$
      DECLARE
        deadline text := current_setting('integration.commit_before', true);
      BEGIN
        IF deadline IS NOT NULL AND deadline <> ''
           AND clock_timestamp() > to_timestamp(deadline::double precision / 1000) THEN
          RAISE EXCEPTION 'commit after its deadline: the request was already answered' USING ERRCODE = 'IS001';
        END IF;
        RETURN NULL;
      END
      $$ LANGUAGE plpgsql`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER trg_integration_logs_late_commit AFTER INSERT ON integration_logs
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_late_commit()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS trg_integration_logs_late_commit ON integration_logs`);
    await q.query(`DROP FUNCTION IF EXISTS refuse_late_commit()`);
  }
}
