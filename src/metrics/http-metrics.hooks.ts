import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricsService } from './metrics.service';

/** Label for requests that matched no route: one fixed value, so unknown paths add no series. */
export const UNMATCHED_ROUTE = 'UNMATCHED';

function routeOf(request: FastifyRequest): string {
  // routeOptions.url is the template ("/api/v1/telegram/accounts/:session_id"), never the raw path.
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/**
 * Records request counts, durations (Fastify's own `elapsedTime`) and in-flight requests from
 * Fastify's lifecycle hooks, in callback style: no promise per hook on the hot path.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  const { http } = metrics;
  fastify.addHook('onRequest', (request, _reply, done) => {
    http.started(request.method, routeOf(request));
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    http.finished(request.method, routeOf(request), reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
