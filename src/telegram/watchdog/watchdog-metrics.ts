import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';
import { scrapedGauge } from '../../metrics/scraped-gauge';

export type WatchdogKind = 'session' | 'bot';
export type WatchdogResult = 'ok' | 'recovered' | 'revoked' | 'unreachable' | 'error' | 'skipped';

/**
 * `telegram_watchdog_checks_total{kind,result}`, `telegram_watchdog_check_duration_seconds{kind}`,
 * `telegram_watchdog_last_success_age_seconds{kind}` (seconds since this replica's last check that
 * worked), `telegram_watchdog_rounds_total` and `telegram_watchdog_last_round_timestamp_seconds`
 * (the "watchdog not running" alert reads the last two). Sessions by status: `telegram_sessions{status}`.
 */
@Injectable()
export class WatchdogMetrics {
  private readonly checks: Counter<'kind' | 'result'>;
  private readonly durations: Histogram<'kind'>;
  private readonly rounds: Counter<never>;
  private readonly lastRound: Gauge<never>;
  private readonly lastSuccess = new Map<WatchdogKind, number>();

  constructor(metrics: MetricsService) {
    this.checks = metrics.counter(
      'telegram_watchdog_checks_total',
      'Session watchdog checks by kind and result',
      ['kind', 'result'],
    );
    this.durations = metrics.histogram(
      'telegram_watchdog_check_duration_seconds',
      'Session watchdog checks (connect when needed + updates.GetState / users.GetUsers) by kind',
      ['kind'],
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
    this.rounds = metrics.counter('telegram_watchdog_rounds_total', 'Session watchdog rounds started', []);
    this.lastRound = metrics.gauge(
      'telegram_watchdog_last_round_timestamp_seconds',
      'Unix time the session watchdog last started a round in this replica',
      [],
    );
    scrapedGauge(
      metrics,
      'telegram_watchdog_last_success_age_seconds',
      "Seconds since this replica's last successful watchdog check, by kind",
      ['kind'],
      (gauge) => {
        for (const [kind, at] of this.lastSuccess) gauge.set({ kind }, (Date.now() - at) / 1000);
      },
    );
  }

  roundStarted(): void {
    this.rounds.inc();
    this.lastRound.set(Date.now() / 1000);
  }

  checked(kind: WatchdogKind, result: WatchdogResult, seconds?: number): void {
    this.checks.inc({ kind, result });
    if (seconds !== undefined) this.durations.observe({ kind }, seconds);
    if (result === 'ok' || result === 'recovered') this.lastSuccess.set(kind, Date.now());
  }
}
