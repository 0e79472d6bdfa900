import autocannon from 'autocannon';

export interface LoadSettings {
  connections: number;
  pipelining: number;
  warmupSeconds: number;
  /** Measured seconds per target, split into `rounds` slices that alternate between the targets. */
  durationSeconds: number;
  rounds: number;
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Measurement {
  /** Completed requests per second over the measured slices. */
  requestsPerSecond: number;
  /** Latency percentiles of the 2xx responses, in milliseconds (from every response, not autocannon's whole-ms histogram). */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  totalRequests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  /** Requests per second of each slice, in the order they ran. */
  sliceRates: number[];
}

/** One target's load: a discarded warm-up, then measured slices whose results add up. */
export class TargetLoad {
  private readonly latencies: number[] = [];
  private requests = 0;
  private seconds = 0;
  private non2xx = 0;
  private errors = 0;
  private timeouts = 0;
  private readonly sliceRates: number[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly request: HttpRequestSpec,
    private readonly settings: LoadSettings,
  ) {}

  /** Warms the server up (JIT, pools, caches); nothing is recorded. */
  async warmUp(): Promise<void> {
    if (this.settings.warmupSeconds > 0) await this.fire(this.settings.warmupSeconds, false);
  }

  /** One measured slice of `durationSeconds / rounds`. */
  async slice(): Promise<void> {
    const result = await this.fire(this.settings.durationSeconds / this.settings.rounds, true);
    const completed = result.requests.total;
    this.requests += completed;
    this.seconds += result.duration;
    this.non2xx += result.non2xx;
    this.errors += result.errors;
    this.timeouts += result.timeouts;
    this.sliceRates.push(result.duration > 0 ? completed / result.duration : 0);
  }

  result(): Measurement {
    const sorted = Float64Array.from(this.latencies).sort();
    const at = (p: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : 0;
    const sum = sorted.reduce((total, value) => total + value, 0);
    return {
      requestsPerSecond: this.seconds > 0 ? this.requests / this.seconds : 0,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      meanMs: sorted.length ? sum / sorted.length : 0,
      totalRequests: this.requests,
      non2xx: this.non2xx,
      errors: this.errors,
      timeouts: this.timeouts,
      durationSeconds: this.seconds,
      sliceRates: this.sliceRates,
    };
  }

  private fire(seconds: number, record: boolean): Promise<autocannon.Result> {
    return new Promise((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${this.baseUrl}${this.request.path}`,
          method: this.request.method,
          headers: this.request.headers,
          body: this.request.body,
          connections: this.settings.connections,
          pipelining: this.settings.pipelining,
          duration: seconds,
          timeout: 10,
        },
        (error: unknown, result) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
      );
      if (record) {
        instance.on('response', (_client, statusCode, _bytes, responseTime) => {
          if (statusCode >= 200 && statusCode < 300) this.latencies.push(responseTime);
        });
      }
    });
  }
}
