import { AppError, RateLimitedError } from '../common/errors/app-error';
import type { AuditEntry } from './audit-log.service';

/** Facts as given, without empty ones (undefined, null, ''); AuditLogService's sanitizer does the rest. */
export function withoutEmpty(facts: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(facts).filter(([, value]) => value !== undefined && value !== null && value !== ''),
  );
}

/**
 * A failed action's audit entry: the facts, the error's code as `reason` (`internal_error` for an
 * error not our own), `retry_after` for a rate limit, and the error's message — domain error
 * messages are fixed texts; anything else is summarised, never echoed.
 */
export function failureEntry(
  userId: number,
  action: string,
  error: unknown,
  facts: Record<string, unknown>,
): AuditEntry {
  const known = error instanceof AppError;
  return {
    userId,
    action,
    status: 'error',
    details: {
      ...facts,
      reason: known ? error.code : 'internal_error',
      ...(error instanceof RateLimitedError ? { retry_after: error.retryAfterSeconds } : {}),
    },
    errorMessage: known ? error.message : 'Internal error',
  };
}
