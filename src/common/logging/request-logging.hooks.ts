import type { FastifyInstance } from 'fastify';
import type { Level, Logger } from 'pino';
import { runInRequestContext } from './logger.options';

/**
 * Per request: a logging context (request_id, later user_id) around the whole lifecycle, and one
 * completion line — method, path (never the query string), status and duration — written only when
 * its level is enabled. A 503 is a dependency being away, already logged as a warning where seen.
 */
export function registerRequestLogging(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    runInRequestContext(logger, { request_id: String(request.id) }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = completionLevel(reply.statusCode);
    if (logger.isLevelEnabled(level) && request.url !== '/metrics') {
      const path = request.url.split('?')[0];
      logger[level](
        {
          request_id: request.id,
          ...(request.user ? { user_id: request.user.id } : {}),
          method: request.method,
          path,
          status_code: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        `${request.method} ${path} ${reply.statusCode}`,
      );
    }
    done();
  });
}

function completionLevel(status: number): Level {
  if (status >= 500 && status !== 503) return 'error';
  return status >= 400 ? 'warn' : 'info';
}
