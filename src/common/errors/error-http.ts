import type { AppError, ErrorKind } from './app-error';
import { errorBody, type ErrorBody } from './error-body';

/** The one table from a domain error's kind to its HTTP status. */
export const HTTP_STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  conflict: 409,
  gone: 410,
  too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  headers_too_large: 431,
  unavailable: 503,
};

export interface HttpErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/**
 * Status, headers and body of a domain error: `Retry-After` (and `retry_after` in the body of a
 * 429) whenever the error knows how long to wait, `WWW-Authenticate` on a 401.
 */
export function httpResponseOf(error: AppError, requestId: string): HttpErrorResponse {
  const status = HTTP_STATUS_BY_KIND[error.kind];
  const headers: Record<string, string> = {};
  const extra: Record<string, unknown> = { ...error.details };
  if (error.retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(error.retryAfterSeconds);
    if (error.kind === 'rate_limited') extra.retry_after = error.retryAfterSeconds;
  }
  if (error.kind === 'unauthorized') headers['WWW-Authenticate'] = 'Bearer';
  return { status, headers, body: errorBody(status, error.code, error.publicMessage, requestId, extra) };
}
