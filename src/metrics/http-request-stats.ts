import type { Metric, Registry } from 'prom-client';

/** The buckets of http_request_duration_seconds (seconds). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

type Labels = { method: string; route: string; status: string };

/** One sample, as prom-client's Registry formats it. */
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

interface Series {
  readonly labels: Labels;
  count: number;
  sum: number;
  /** Observations per bucket, not cumulative (the last slot is +Inf). */
  readonly buckets: number[];
}

interface InProgress {
  readonly labels: { method: string; route: string };
  value: number;
}

/**
 * http_requests_total, http_request_duration_seconds and http_requests_inprogress, counted on the
 * hot path with one Map lookup per request instead of prom-client's per-call label hashing and
 * validation (four hashed updates per request, a fifth of the service's per-request overhead in
 * `npm run bench`'s CPU profile). The values are handed to prom-client's own registry as metric
 * objects, so the exposition format is prom-client's.
 */
export class HttpRequestStats {
  private readonly series = new Map<string, Series>();
  private readonly inProgress = new Map<string, InProgress>();

  started(method: string, route: string): void {
    this.inProgressOf(method, route).value++;
  }

  finished(method: string, route: string, status: number, seconds: number): void {
    this.inProgressOf(method, route).value--;
    const key = `${method} ${route} ${status}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status: String(status) },
        count: 0,
        sum: 0,
        buckets: new Array<number>(HTTP_DURATION_BUCKETS.length + 1).fill(0),
      };
      this.series.set(key, series);
    }
    series.count++;
    series.sum += seconds;
    let i = 0;
    while (i < HTTP_DURATION_BUCKETS.length && seconds > HTTP_DURATION_BUCKETS[i]) i++;
    series.buckets[i]++;
  }

  register(registry: Registry): void {
    registry.registerMetric(
      metric(
        'http_requests_total',
        'HTTP requests by method, route template and status code',
        'counter',
        () => [...this.series.values()].map((s) => ({ labels: s.labels, value: s.count })),
      ),
    );
    registry.registerMetric(
      metric(
        'http_request_duration_seconds',
        'HTTP request duration in seconds by method, route template and status code',
        'histogram',
        () => [...this.series.values()].flatMap(histogramValues),
      ),
    );
    registry.registerMetric(
      metric(
        'http_requests_inprogress',
        'HTTP requests being served, by method and route template',
        'gauge',
        () => [...this.inProgress.values()].map((g) => ({ labels: g.labels, value: g.value })),
      ),
    );
  }

  private inProgressOf(method: string, route: string): InProgress {
    const key = `${method} ${route}`;
    let gauge = this.inProgress.get(key);
    if (!gauge) {
      gauge = { labels: { method, route }, value: 0 };
      this.inProgress.set(key, gauge);
    }
    return gauge;
  }
}

function histogramValues(series: Series): Sample[] {
  const values: Sample[] = [];
  let cumulative = 0;
  HTTP_DURATION_BUCKETS.forEach((le, i) => {
    cumulative += series.buckets[i];
    values.push({
      metricName: 'http_request_duration_seconds_bucket',
      labels: { le, ...series.labels },
      value: cumulative,
    });
  });
  cumulative += series.buckets[HTTP_DURATION_BUCKETS.length];
  values.push({
    metricName: 'http_request_duration_seconds_bucket',
    labels: { le: '+Inf', ...series.labels },
    value: cumulative,
  });
  values.push({ metricName: 'http_request_duration_seconds_sum', labels: series.labels, value: series.sum });
  values.push({
    metricName: 'http_request_duration_seconds_count',
    labels: series.labels,
    value: series.count,
  });
  return values;
}

/** A metric object as prom-client's Registry reads it (`registerMetric`, then `get()` at each scrape). */
function metric(
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  values: () => Sample[],
): Metric {
  const get = () => Promise.resolve({ name, help, type, values: values(), aggregator: 'sum' });
  return { name, help, type, aggregator: 'sum', get } as unknown as Metric;
}
