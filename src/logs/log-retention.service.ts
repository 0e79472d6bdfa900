import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';

/** "integration-service log retention": one replica at a time runs the sweep. */
export const RETENTION_LOCK_ID = 7_420_513_002;
const BATCH = 5000;
const FIRST_RUN_DELAY_MS = 60_000;
const INTERVAL_MS = 60 * 60_000;

/**
 * Removes audit rows older than LOG_RETENTION_DAYS, hourly, in small batches so no long lock or
 * giant transaction builds up. Safe with several replicas: the sweep runs under a try-lock, and a
 * replica that does not get it simply skips that round.
 */
@Injectable()
export class LogRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly removed: Counter;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
    @InjectPinoLogger(LogRetentionService.name) private readonly logger: PinoLogger,
  ) {
    this.removed = metrics.counter(
      'integration_logs_retention_removed_total',
      'Audit rows removed by retention',
      [],
    );
  }

  onApplicationBootstrap(): void {
    const schedule = (delay: number) => {
      this.timer = setTimeout(() => {
        this.sweep()
          .catch((error: unknown) => this.logger.warn({ err: error }, 'Audit log retention sweep failed'))
          .finally(() => schedule(INTERVAL_MS));
      }, delay);
      this.timer.unref();
    };
    schedule(FIRST_RUN_DELAY_MS);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }

  /** Returns the number of rows removed, or null when another replica holds the lock. */
  async sweep(retentionDays = this.config.logRetentionDays): Promise<number | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        RETENTION_LOCK_ID,
      ])) as {
        locked: boolean;
      }[];
      if (!locked) return null;
      try {
        let total = 0;
        for (;;) {
          const result = await runner.query(
            `DELETE FROM integration_logs WHERE id IN (
               SELECT id FROM integration_logs
               WHERE created_at < now() - make_interval(days => $1)
               LIMIT ${BATCH})`,
            [retentionDays],
            true,
          );
          const count = result.affected ?? 0;
          total += count;
          this.removed.inc(count);
          if (count < BATCH) break;
        }
        if (total > 0)
          this.logger.info({ removed: total, retention_days: retentionDays }, 'Removed old audit log rows');
        return total;
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_ID]);
      }
    } finally {
      await runner.release();
    }
  }
}
