import { DependencyUnavailableError } from './app-error';

/** PostgreSQL cannot be reached right now (recognised by isDatabaseUnavailable). */
export class DatabaseUnavailableError extends DependencyUnavailableError {
  constructor() {
    super('database', 'The database is unavailable; try again shortly');
  }
}

// What isDatabaseUnavailable recognises as "PostgreSQL cannot be reached right now", as opposed to a bad query.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  // A COMMIT PostgreSQL processed after its deadline (migration LateCommitGuard): it was refused, retry.
  'IS001',
]);
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
  'connect ECONNREFUSED',
  'Query read timeout',
  // TypeORM releases a transaction's query runner when its connection errors (the server went away
  // mid-transaction); the transaction's next statement then fails with this.
  'Query runner already released',
  // The same, through EntityManager.query / DataSource.query on that transaction's manager.
  'Database connection provided by a query runner was already released',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    if (typeof current !== 'object') return false;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (CONNECTION_CODES.has(code)) return true;
      // SQLSTATE class 08 (connection exception), 57P0x (operator intervention), 53300 (too many connections)
      if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300') return true;
    }
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((m) => message.includes(m))) return true;
    current =
      (current as { driverError?: unknown; cause?: unknown }).driverError ??
      (current as { cause?: unknown }).cause;
  }
  return false;
}
