import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import { AppError } from '../../common/errors/app-error';
import { withTimeout } from '../../common/util/with-timeout';
import { MetricsService } from '../../metrics/metrics.service';
import { scrapedGauge } from '../../metrics/scraped-gauge';
import { AccountsRepository } from './accounts.repository';
import { SESSION_STATUSES } from './telegram-session.entity';

export type LoginMethod = 'phone_code' | 'password' | 'qr';

/** Scrapes closer together than this reuse the last counts (one GROUP BY per window). */
const REFRESH_INTERVAL_MS = 5000;
const COUNT_TIMEOUT_MS = 2000;

/**
 * `telegram_login_attempts_total{method,result}` (result: `code_sent`, `2fa_required`, `success`,
 * `qr_issued`, or the error code such as `phone_code_invalid`) and `telegram_sessions{status}`, read
 * from PostgreSQL when Prometheus scrapes. The gauge counts every replica's rows: aggregate with max().
 */
@Injectable()
export class TelegramAccountMetrics {
  private readonly attempts: Counter<'method' | 'result'>;
  private lastRefresh = 0;

  constructor(
    metrics: MetricsService,
    private readonly accounts: AccountsRepository,
    @InjectPinoLogger(TelegramAccountMetrics.name) private readonly logger: PinoLogger,
  ) {
    this.attempts = metrics.counter(
      'telegram_login_attempts_total',
      'Telegram login steps by method (phone_code, password, qr) and result',
      ['method', 'result'],
    );
    scrapedGauge(
      metrics,
      'telegram_sessions',
      'Telegram sessions in the database by status',
      ['status'],
      async (gauge) => {
        if (Date.now() - this.lastRefresh < REFRESH_INTERVAL_MS) return;
        try {
          const rows = await withTimeout(
            this.accounts.countByStatus(),
            COUNT_TIMEOUT_MS,
            () => new Error('session count timed out'),
          );
          gauge.reset();
          for (const status of SESSION_STATUSES) gauge.set({ status }, 0);
          for (const row of rows) gauge.set({ status: row.status }, row.count);
          this.lastRefresh = Date.now();
        } catch (error) {
          // Keep the last values: a scrape must not fail because the database is slow.
          this.logger.warn({ err: error }, 'Could not count Telegram sessions for metrics');
        }
      },
    );
  }

  attempt(method: LoginMethod, result: string): void {
    this.attempts.inc({ method, result });
  }

  failure(method: LoginMethod, error: unknown): void {
    this.attempt(method, error instanceof AppError ? error.code : 'internal_error');
  }
}
