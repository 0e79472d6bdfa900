import { BadRequestError } from '../common/errors/app-error';

/** A keyset position: the (created_at, id) of the last row served, created_at with microseconds. */
export interface LogCursor {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;
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
  if (typeof t !== 'string' || typeof i !== 'string' || !isRealTimestamp(t) || !UUID.test(i)) throw invalid();
  return { createdAt: t, id: i };
}

/** The shape and a date that exists (no 30 February, no hour 25): PostgreSQL would answer 22008. */
function isRealTimestamp(text: string): boolean {
  const match = TIMESTAMP.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (year < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

function invalid(): BadRequestError {
  const error = new BadRequestError('invalid_cursor', 'Invalid request: cursor');
  error.details.errors = [{ field: 'cursor', message: 'cursor is not a cursor this service issued' }];
  return error;
}
