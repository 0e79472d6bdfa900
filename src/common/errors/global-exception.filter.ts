import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';
import { noteResponseError } from '../logging/request-logging.hooks';
import { errorBody } from './error-body';
import { httpResponseOf, type HttpErrorResponse } from './error-http';
import { toAppError } from './foreign-errors';

/**
 * Renders every error as an HTTP response. What the response says is decided elsewhere: errors
 * become domain errors (foreign-errors.ts) and domain errors become status, headers and body in
 * one table (error-http.ts). Anything that is not a domain error is a 500 naming only the request id.
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
    const error = toAppError(exception);
    const { status, headers, body }: HttpErrorResponse = error
      ? httpResponseOf(error, requestId)
      : {
          status: 500,
          headers: {},
          body: errorBody(500, 'internal_error', 'Internal server error', requestId),
        };

    // A 500 is logged with its error here; any other error is described on the request's one
    // completion line (a 503 during an outage must not write a second line per request).
    if (!error) this.logger.error({ err: exception }, 'Unhandled error');
    if (status === 503 && typeof body.dependency === 'string')
      this.unavailable.inc({ dependency: body.dependency });
    noteResponseError(request, { code: body.code, dependency: body.dependency });
    reply.header('x-request-id', requestId);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    void reply.status(status).send(body);
  }
}
