/**
 * Whether `error` is PostgreSQL's unique_violation (SQLSTATE 23505), raised by pg directly or
 * wrapped by TypeORM (QueryFailedError keeps the driver's error in `driverError`).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  return code === '23505' || driverError?.code === '23505';
}
