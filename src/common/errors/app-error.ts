/**
 * Domain errors carry an HTTP status and a stable machine-readable code; the global filter is the
 * only place that turns them into responses. Messages must be safe to show to the caller: no
 * secrets, no internals.
 */
export interface FieldProblem {
  field: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string> = {};
  /** Extra fields merged into the response body. */
  readonly extra: Record<string, unknown> = {};
}

export class ValidationFailedError extends AppError {
  readonly status = 400;
  readonly code = 'validation_failed';
  constructor(readonly problems: FieldProblem[]) {
    super(`Invalid request: ${problems.map((p) => p.field).join(', ')}`);
    this.extra.errors = problems;
  }
}

export class BadRequestError extends AppError {
  readonly status = 400;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
  constructor(message = 'Authentication required') {
    super(message);
    this.headers['WWW-Authenticate'] = 'Bearer';
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(message = 'Not found') {
    super(message);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  constructor(
    readonly retryAfterSeconds: number,
    readonly code = 'rate_limited',
    message = 'Too many requests',
  ) {
    super(message);
    this.headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
    this.extra.retry_after = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** A dependency (database, Vault, Telegram, broker) cannot serve the request right now. */
export class DependencyUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'dependency_unavailable';
  constructor(
    readonly dependency: string,
    message: string,
    retryAfterSeconds = 5,
  ) {
    super(message);
    this.headers['Retry-After'] = String(retryAfterSeconds);
    this.extra.dependency = dependency;
  }
}
