/** The buckets of http_request_duration_seconds (seconds). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

type Labels = { method: string; route: string; status: string };

/** One sample of the text exposition format. */
interface Sample {
  metricName: string;
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
 * `npm run bench`'s CPU profile). prom-client's public metric classes take values only through their
 * hashing setters, so these three are written in Prometheus's text exposition format (version 0.0.4)
 * by `exposition()`, which MetricsService appends to the registry's own output at each scrape.
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

  /** The three metrics in Prometheus's text exposition format. */
  exposition(): string {
    return [
      block('http_requests_total', 'HTTP requests by method, route template and status code', 'counter', [
        ...[...this.series.values()].map((s) => ({
          metricName: 'http_requests_total',
          labels: s.labels,
          value: s.count,
        })),
      ]),
      block(
        'http_request_duration_seconds',
        'HTTP request duration in seconds by method, route template and status code',
        'histogram',
        [...this.series.values()].flatMap(histogramValues),
      ),
      block(
        'http_requests_inprogress',
        'HTTP requests being served, by method and route template',
        'gauge',
        [...this.inProgress.values()].map((g) => ({
          metricName: 'http_requests_inprogress',
          labels: g.labels,
          value: g.value,
        })),
      ),
    ].join('');
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

/** One metric's HELP, TYPE and sample lines. */
function block(name: string, help: string, type: string, samples: Sample[]): string {
  const lines = [
    `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
    `# TYPE ${name} ${type}`,
  ];
  for (const sample of samples) lines.push(`${sample.metricName}${labelText(sample.labels)} ${sample.value}`);
  return `${lines.join('\n')}\n`;
}

/** `{a="x",b="y"}` with label values escaped as the format asks (backslash, quote, newline). */
function labelText(labels: Record<string, string | number>): string {
  const pairs = Object.entries(labels).map(
    ([key, value]) =>
      `${key}="${String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return pairs.length ? `{${pairs.join(',')}}` : '';
}
