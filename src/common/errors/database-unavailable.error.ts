import { DependencyUnavailableError } from './app-error';

/** PostgreSQL cannot be reached right now (recognised by isDatabaseUnavailable). */
export class DatabaseUnavailableError extends DependencyUnavailableError {
  constructor() {
    super('database', 'The database is unavailable; try again shortly');
  }
}
