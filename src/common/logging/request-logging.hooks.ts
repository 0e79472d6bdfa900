import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Level, Logger } from 'pino';
import { runInRequestContext } from './logger.options';

/** What an error response said, for the request's completion line. */
export interface ResponseErrorFields {
  code: string;
  dependency?: unknown;
}

const RESPONSE_ERROR = Symbol('responseError');
type WithResponseError = FastifyRequest & { [RESPONSE_ERROR]?: ResponseErrorFields };

/** Called by the error filter: the completion line then carries the error's code (and dependency). */
export function noteResponseError(request: FastifyRequest, fields: ResponseErrorFields): void {
  (request as WithResponseError)[RESPONSE_ERROR] = fields;
}

/**
 * Per request: a logging context (request_id, later user_id) around the whole lifecycle, and one
 * completion line — method, path (never the query string), status and duration — written only when
 * its level is enabled. It is the only line for an error response but a 500 (whose error the filter
 * logs): it carries the error's code, and for a 503 the dependency that was away.
 */
export function registerRequestLogging(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    runInRequestContext({ request_id: String(request.id) }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = completionLevel(reply.statusCode);
    if (logger.isLevelEnabled(level) && request.url !== '/metrics') {
      const path = request.url.split('?')[0];
      const error = (request as WithResponseError)[RESPONSE_ERROR];
      logger[level](
        {
          request_id: request.id,
          ...(request.user ? { user_id: request.user.id } : {}),
          method: request.method,
          path,
          status_code: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime * 10) / 10,
          ...(error
            ? { code: error.code, ...(error.dependency ? { dependency: error.dependency } : {}) }
            : {}),
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
