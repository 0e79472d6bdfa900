import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricsService } from './metrics.service';

/** Label for requests that matched no route: one fixed value, so unknown paths add no series. */
export const UNMATCHED_ROUTE = 'UNMATCHED';

const started = Symbol('metrics-start');
type TimedRequest = FastifyRequest & { [started]?: bigint };

function routeOf(request: FastifyRequest): string {
  // routeOptions.url is the template ("/api/v1/telegram/accounts/:session_id"), never the raw path.
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** Records request counts, durations and in-flight requests from Fastify's own lifecycle hooks. */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onRequest', async (request: TimedRequest) => {
    request[started] = process.hrtime.bigint();
    metrics.httpInProgress.inc({ method: request.method, route: routeOf(request) });
  });
  fastify.addHook('onResponse', async (request: TimedRequest, reply) => {
    const route = routeOf(request);
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    metrics.httpInProgress.dec({ method: request.method, route });
    metrics.httpRequests.inc(labels);
    const start = request[started];
    if (start !== undefined)
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
  });
}
