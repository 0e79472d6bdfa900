import { Inject, Injectable } from '@nestjs/common';
import { Interval, Timeout } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { LOCK_BUSY, withAdvisoryLock } from '../database/advisory-lock';
import { BackgroundFaults } from '../metrics/background-faults';
import { MetricsService } from '../metrics/metrics.service';

/** "integration-service log retention": one replica at a time runs the sweep. */
export const RETENTION_LOCK_ID = 7_420_513_002;
const BATCH = 5000;

/**
 * One batch of old rows. There is no index on created_at alone (see migration AuditLogIndexes):
 * the distinct users come from a loose index scan of (user_id, created_at), and each user's old
 * rows from the same index — cheap even when there is nothing to delete.
 */
const RETENTION_BATCH_SQL = `
  WITH RECURSIVE users AS (
    (SELECT user_id FROM integration_logs ORDER BY user_id LIMIT 1)
    UNION ALL
    SELECT (SELECT l.user_id FROM integration_logs l WHERE l.user_id > u.user_id ORDER BY l.user_id LIMIT 1)
    FROM users u WHERE u.user_id IS NOT NULL
  )
  DELETE FROM integration_logs WHERE id IN (
    SELECT old.id FROM users u CROSS JOIN LATERAL (
      SELECT id FROM integration_logs
      WHERE user_id = u.user_id AND created_at < now() - make_interval(days => $1)
      LIMIT ${BATCH}
    ) old
    WHERE u.user_id IS NOT NULL
    LIMIT ${BATCH}
  )`;
const FIRST_RUN_DELAY_MS = 60_000;
const INTERVAL_MS = 60 * 60_000;

/**
 * Removes audit rows older than LOG_RETENTION_DAYS, hourly (first a minute after start), on
 * @nestjs/schedule (ScheduleModule.forRoot() in AppModule; its timers stop on shutdown), in small
 * batches so no long lock or giant transaction builds up. Batched DELETE rather than monthly partitions: at 2,000,000 rows
 * over 90 days an hourly sweep removes ~1,000 rows in milliseconds (a month's backlog of 667k rows
 * took 11.7 s in 5,000-row batches); partitions would force created_at into the primary key and
 * need partition upkeep for no gain at this volume. Safe with several replicas: the sweep runs under a try-lock, and a
 * replica (or an overlapping round in the same one) that does not get it simply skips that round.
 */
@Injectable()
export class LogRetentionService {
  private readonly removed: Counter;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
    private readonly faults: BackgroundFaults,
    @InjectPinoLogger(LogRetentionService.name) private readonly logger: PinoLogger,
  ) {
    this.removed = metrics.counter(
      'integration_logs_retention_removed_total',
      'Audit rows removed by retention',
      [],
    );
  }

  @Timeout('audit-log-retention-first', FIRST_RUN_DELAY_MS)
  firstSweep(): Promise<void> {
    return this.scheduledSweep();
  }

  @Interval('audit-log-retention', INTERVAL_MS)
  hourlySweep(): Promise<void> {
    return this.scheduledSweep();
  }

  /** Returns the number of rows removed, or null when another replica holds the lock. */
  async sweep(retentionDays = this.config.logRetentionDays): Promise<number | null> {
    const result = await withAdvisoryLock(
      this.dataSource,
      RETENTION_LOCK_ID,
      { wait: false },
      async (runner) => {
        let total = 0;
        for (;;) {
          const batch = await runner.query(RETENTION_BATCH_SQL, [retentionDays], true);
          const count = batch.affected ?? 0;
          total += count;
          this.removed.inc(count);
          if (count < BATCH) break;
        }
        if (total > 0)
          this.logger.info({ removed: total, retention_days: retentionDays }, 'Removed old audit log rows');
        return total;
      },
    );
    return result === LOCK_BUSY ? null : result;
  }

  private async scheduledSweep(): Promise<void> {
    try {
      await this.sweep();
      this.faults.ok('log_retention');
    } catch (error) {
      // Tried again at the next hourly sweep.
      this.faults.fault('log_retention', error);
    }
  }
}
