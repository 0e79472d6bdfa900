import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HttpRequestStats } from './http-request-stats';

/**
 * The service's own Prometheus registry (not prom-client's global one, so that several app
 * instances in one process — tests — never collide). Feature modules register their domain
 * metrics here.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** The HTTP request metrics (http_requests_total, http_request_duration_seconds, http_requests_inprogress). */
  readonly http = new HttpRequestStats();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The scrape: prom-client's registry, then the HTTP request metrics. */
  async exposition(): Promise<string> {
    const base = await this.registry.metrics();
    return `${base}${base.endsWith('\n') ? '' : '\n'}${this.http.exposition()}`;
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return (
      (this.registry.getSingleMetric(name) as Counter<L> | undefined) ??
      new Counter({ name, help, labelNames, registers: [this.registry] })
    );
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return (
      (this.registry.getSingleMetric(name) as Gauge<L> | undefined) ??
      new Gauge({ name, help, labelNames, registers: [this.registry] })
    );
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets?: number[],
  ): Histogram<L> {
    return (
      (this.registry.getSingleMetric(name) as Histogram<L> | undefined) ??
      new Histogram({ name, help, labelNames, buckets, registers: [this.registry] })
    );
  }
}
