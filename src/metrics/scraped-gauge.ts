import { Gauge } from 'prom-client';
import type { MetricsService } from './metrics.service';

/**
 * A gauge whose value is computed when Prometheus scrapes (prom-client awaits `collect`). Replaces a
 * metric of the same name in this registry, so the newest owner's callback is the one that runs.
 */
export function scrapedGauge<L extends string>(
  metrics: MetricsService,
  name: string,
  help: string,
  labelNames: readonly L[],
  collect: (gauge: Gauge<L>) => void | Promise<void>,
): Gauge<L> {
  metrics.registry.removeSingleMetric(name);
  return new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [metrics.registry],
    async collect() {
      await collect(this);
    },
  });
}
