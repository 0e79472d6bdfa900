import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for exactly the audit-log queries, chosen from EXPLAIN (ANALYZE, BUFFERS) on 2,000,000
 * rows (1,000 users, one with 100,000 rows, 90 days; see bench/sql/seed-logs.sql):
 * - the list and its count filter on user_id + integration_type, range on created_at, order by
 *   (created_at, id) DESC: one b-tree in that order, with status INCLUDEd so the count and the
 *   status filter are index-only scans (count of 26,679 rows: 65 ms → 17 ms cold);
 * - the error statistics filter on user_id + created_at only and count by status: (user_id,
 *   created_at) INCLUDE (status), index-only (90 days for the heavy user: 212 ms → 41 ms cold);
 * - retention needs no index of its own: it walks the distinct users on (user_id, created_at)
 *   (a loose index scan) and deletes each user's old rows through the same index — a sweep with
 *   nothing to delete costs 15 ms, not the 550 ms sequential scan a bare `created_at <` costs.
 *   A plain b-tree on created_at made that 0.02 ms, but the planner then chose it for the list
 *   (page 500: 10 ms → 41 ms, filtering 243,395 rows) and it costs every insert. A BRIN index
 *   (24 kB) did as well on freshly loaded data, but retention frees old pages that new rows then
 *   reuse, which spreads block ranges over the whole period and degrades BRIN towards a full scan.
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_integration_logs_user_created_status`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_integration_logs_user_type_created`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_integration_logs_user_created ON integration_logs (user_id, created_at)`,
    );
  }
}
