/**
 * Domain errors carry a stable machine-readable `code`, a `kind` (what went wrong, in domain terms)
 * and safe facts; `error-http.ts` is the one table that turns a kind into an HTTP status, headers
 * and body, and the global filter only renders what it says. Messages must be safe to show to the
 * caller: no secrets, no internals.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'request_timeout'
  | 'gone'
  | 'too_large'
  | 'uri_too_long'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'rate_limited'
  | 'headers_too_large'
  | 'unavailable';

export interface FieldProblem {
  field: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly kind: ErrorKind;
  abstract readonly code: string;
  /** Safe facts merged into the response body (`errors`, `reason`, `dependency`...). */
  readonly details: Record<string, unknown> = {};
  /** How long the caller should wait before trying again (Retry-After), when that is known. */
  retryAfterSeconds?: number;
  /** The text the caller reads, when it differs from the (log-facing) `message`. */
  protected clientMessage?: string;

  get publicMessage(): string {
    return this.clientMessage ?? this.message;
  }
}

export class ValidationFailedError extends AppError {
  readonly kind = 'invalid';
  readonly code = 'validation_failed';
  constructor(readonly problems: FieldProblem[]) {
    super(`Invalid request: ${problems.map((p) => p.field).join(', ')}`);
    this.details.errors = problems;
  }
}

export class BadRequestError extends AppError {
  readonly kind = 'invalid';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class UnauthorizedError extends AppError {
  readonly kind = 'unauthorized';
  readonly code = 'unauthorized';
  constructor(message = 'Authentication required') {
    super(message);
  }
}

/** Authenticated, but this credential may not do this (an API key without the route's scope). */
export class ForbiddenError extends AppError {
  readonly kind = 'forbidden';
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    Object.assign(this.details, details);
  }
}

export class NotFoundError extends AppError {
  readonly kind = 'not_found';
  readonly code = 'not_found';
  constructor(message = 'Not found') {
    super(message);
  }
}

export class ConflictError extends AppError {
  readonly kind = 'conflict';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class RateLimitedError extends AppError {
  readonly kind = 'rate_limited';
  override readonly retryAfterSeconds: number;
  constructor(
    retryAfterSeconds: number,
    readonly code = 'rate_limited',
    message = 'Too many requests',
  ) {
    super(message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** A dependency (database, Vault, Telegram, broker) cannot serve the request right now. */
export class DependencyUnavailableError extends AppError {
  readonly kind = 'unavailable';
  readonly code: string = 'dependency_unavailable';
  constructor(
    readonly dependency: string,
    message: string,
    retryAfterSeconds = 5,
  ) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
    this.details.dependency = dependency;
  }
}
