import { BadRequestError } from '../common/errors/app-error';

/** A keyset position: the (created_at, id) of the last row served, created_at with microseconds. */
export interface LogCursor {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt, i: cursor.id })).toString('base64url');
}

/** Opaque to callers, strictly checked here: anything that is not one of ours is a 400. */
export function decodeCursor(value: string): LogCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { t, i } = (parsed ?? {}) as { t?: unknown; i?: unknown };
  if (typeof t !== 'string' || typeof i !== 'string' || !TIMESTAMP.test(t) || !UUID.test(i)) throw invalid();
  return { createdAt: t, id: i };
}

function invalid(): BadRequestError {
  const error = new BadRequestError('validation_failed', 'Invalid request: cursor');
  error.extra.errors = [{ field: 'cursor', message: 'cursor is not a cursor this service issued' }];
  return error;
}
