import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for exactly the audit-log queries, chosen from EXPLAIN (ANALYZE, BUFFERS) on 2,000,000
 * rows (1,000 users, one with 100,000 rows, 90 days; see bench/sql/seed-logs.sql):
 * - the list and its count filter on user_id + integration_type, range on created_at, order by
 *   (created_at, id) DESC: one b-tree in that order, with status INCLUDEd so the count and the
 *   status filter are index-only scans (count of 26,679 rows: 65 ms → 17 ms cold);
 * - the error statistics filter on user_id + created_at only and count by status: (user_id,
 *   created_at) INCLUDE (status), index-only (90 days for the heavy user: 212 ms → 41 ms cold);
 * - retention deletes by created_at across users: a plain b-tree, so the hourly sweep with
 *   nothing to delete costs 0.02 ms instead of a 550 ms sequential scan. A BRIN index (24 kB) did
 *   as well on freshly loaded data, but retention frees old pages that new rows then reuse, which
 *   spreads every block range over the whole period and turns BRIN into a full scan over time.
 * Built CONCURRENTLY so a live table keeps taking writes, which rules out a transaction.
 */
export class AuditLogIndexes1764100000000 implements MigrationInterface {
  name = 'AuditLogIndexes1764100000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_integration_logs_user_type_created
         ON integration_logs (user_id, integration_type, created_at, id) INCLUDE (status)`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_integration_logs_user_created`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_integration_logs_user_created_status
         ON integration_logs (user_id, created_at) INCLUDE (status)`,
    );
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_integration_logs_created ON integration_logs (created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_integration_logs_created`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_integration_logs_user_created_status`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_integration_logs_user_type_created`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_integration_logs_user_created ON integration_logs (user_id, created_at)`,
    );
  }
}
