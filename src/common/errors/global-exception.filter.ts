import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import { AppError } from './app-error';
import { SecretDecryptionError, VaultUnavailableError } from '../../vault/vault.errors';
import { MetricsService } from '../../metrics/metrics.service';
import { noteResponseError } from '../logging/request-logging.hooks';
import { isDatabaseUnavailable } from './database-errors';
import { errorBody, type ErrorBody } from './error-body';

/**
 * The one place where errors become HTTP responses. Domain errors map by their status and code;
 * Nest and Fastify errors keep their 4xx status; a lost database becomes 503; anything else is a
 * 500 that names only the request id.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly unavailable: Counter<'dependency'>;

  constructor(
    private readonly logger: PinoLogger,
    metrics: MetricsService,
  ) {
    this.logger.setContext(GlobalExceptionFilter.name);
    this.unavailable = metrics.counter(
      'dependency_unavailable_responses_total',
      'Requests answered 503 because a dependency was away, by dependency',
      ['dependency'],
    );
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = String(request.id);
    const { body, headers } = this.toResponse(exception, requestId);

    // A 500 is logged with its error here; any other error is described on the request's one
    // completion line (a 503 during an outage must not write a second line per request).
    if (body.status_code === 500) this.logger.error({ err: exception }, 'Unhandled error');
    if (body.status_code === 503 && typeof body.dependency === 'string')
      this.unavailable.inc({ dependency: body.dependency });
    noteResponseError(request, { code: body.code, dependency: body.dependency });
    reply.header('x-request-id', requestId);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    void reply.status(body.status_code).send(body);
  }

  private toResponse(
    exception: unknown,
    requestId: string,
  ): { body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof AppError) {
      return {
        body: this.body(exception.status, exception.code, exception.message, requestId, exception.extra),
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? ((response as { message: string[] }).message.join('; ') as string)
            : String((response as { message?: unknown }).message ?? exception.message);
      const code = status === 404 ? 'not_found' : snake(STATUS_CODES[status] ?? 'error');
      return {
        body: this.body(status, code, status >= 500 ? 'Internal server error' : message, requestId),
        headers: {},
      };
    }
    if (exception instanceof VaultUnavailableError) {
      return {
        body: this.body(
          503,
          'dependency_unavailable',
          `The secret store (Vault) is unavailable: ${exception.reason}`,
          requestId,
          {
            dependency: 'vault',
          },
        ),
        headers: { 'Retry-After': '5' },
      };
    }
    if (exception instanceof SecretDecryptionError) {
      return {
        body: this.body(
          409,
          'secret_unreadable',
          'A stored secret could not be decrypted for this user',
          requestId,
        ),
        headers: {},
      };
    }
    const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Fastify's own errors (malformed JSON, unsupported media type, body too large) are safe to describe.
      const fastifyCode = String((exception as { code?: unknown }).code ?? 'bad_request');
      return {
        body: this.body(
          fastifyStatus,
          snake(fastifyCode.replace(/^FST_ERR_/, '')),
          fastifyMessage(exception),
          requestId,
        ),
        headers: {},
      };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        body: this.body(
          503,
          'dependency_unavailable',
          'The database is unavailable; try again shortly',
          requestId,
          {
            dependency: 'database',
          },
        ),
        headers: { 'Retry-After': '5' },
      };
    }
    return { body: this.body(500, 'internal_error', 'Internal server error', requestId), headers: {} };
  }

  private body(
    status: number,
    code: string,
    message: string,
    requestId: string,
    extra: Record<string, unknown> = {},
  ): ErrorBody {
    return errorBody(status, code, message, requestId, extra);
  }
}

function snake(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();
}

function fastifyMessage(exception: unknown): string {
  const message = String((exception as { message?: unknown }).message ?? 'Bad request');
  // JSON.parse messages quote the body, which may hold a password or code: never echo them.
  if (/JSON/i.test(message)) return 'Request body is not valid JSON';
  return message.split('\n')[0].slice(0, 200);
}
