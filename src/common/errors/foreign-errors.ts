import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { AppError, type ErrorKind } from './app-error';
import { DatabaseUnavailableError, isDatabaseUnavailable } from './database-outage';
import { HTTP_STATUS_BY_KIND } from './error-http';

/** A refusal raised by Nest or Fastify (unknown route, malformed JSON, body too large...), as a domain error. */
export class HttpRefusalError extends AppError {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const KIND_BY_STATUS = new Map<number, ErrorKind>(
  Object.entries(HTTP_STATUS_BY_KIND).map(([kind, status]) => [status, kind as ErrorKind]),
);

/**
 * Every error that reaches the filter, as a domain error: ours as they are; Nest's and Fastify's
 * 4xx by their status (an unusual one as `invalid`); a lost database as 503. Anything else is
 * undefined: a bug, answered 500.
 */
export function toAppError(exception: unknown): AppError | undefined {
  if (exception instanceof AppError) return exception;
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    const status = exception.getStatus();
    const code = status === 404 ? 'not_found' : snake(STATUS_CODES[status] ?? 'error');
    return new HttpRefusalError(KIND_BY_STATUS.get(status) ?? 'invalid', code, nestMessage(exception));
  }
  const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    // Fastify's own errors (malformed JSON, unsupported media type, body too large) are safe to describe.
    const fastifyCode = String((exception as { code?: unknown }).code ?? 'bad_request');
    return new HttpRefusalError(
      KIND_BY_STATUS.get(fastifyStatus) ?? 'invalid',
      snake(fastifyCode.replace(/^FST_ERR_/, '')),
      fastifyMessage(exception),
    );
  }
  if (isDatabaseUnavailable(exception)) return new DatabaseUnavailableError();
  return undefined;
}

function nestMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
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
