import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { scrapedGauge } from '../metrics/scraped-gauge';
import { HealthService } from './health.service';

/**
 * `dependency_up{dependency}` (1 / 0) and `dependency_check_duration_seconds{dependency}`: every
 * registered component (database, vault, redis, rabbitmq, telegram) probed when Prometheus scrapes,
 * each bounded by HEALTH_CHECK_TIMEOUT_MS, so "PostgreSQL/Vault unavailable" alerts do not depend
 * on traffic reaching the service.
 */
@Injectable()
export class DependencyMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly health: HealthService,
  ) {}

  onModuleInit(): void {
    let latest: Promise<Record<string, { status: string; latency_ms: number }>> | undefined;
    // The two gauges are collected one after the other in one scrape: probe once for both.
    const reports = () => {
      latest ??= this.health.reports().finally(() => setTimeout(() => (latest = undefined), 1000).unref());
      return latest;
    };
    scrapedGauge(
      this.metrics,
      'dependency_up',
      'Whether each dependency answered its health check (1) or not (0)',
      ['dependency'],
      async (gauge) => {
        gauge.reset();
        for (const [dependency, report] of Object.entries(await reports())) {
          gauge.set({ dependency }, report.status === 'healthy' ? 1 : 0);
        }
      },
    );
    scrapedGauge(
      this.metrics,
      'dependency_check_duration_seconds',
      'How long each dependency took to answer its health check',
      ['dependency'],
      async (gauge) => {
        gauge.reset();
        for (const [dependency, report] of Object.entries(await reports())) {
          gauge.set({ dependency }, report.latency_ms / 1000);
        }
      },
    );
  }
}
