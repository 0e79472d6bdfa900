import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

export interface DatabaseConnectionSettings {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  /** Client-side bound on a query; defaults to the statement timeout plus one second. */
  queryTimeoutMs?: number;
  connectTimeoutMs: number;
}

/** TypeORM options for every use: the app, the migration CLI, tests. `synchronize` is never on. */
export function dataSourceOptions(settings: DatabaseConnectionSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsRun: false,
    synchronize: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    logging: false,
    applicationName: 'integration-service',
    extra: {
      max: settings.poolSize,
      connectionTimeoutMillis: settings.connectTimeoutMs,
      idleTimeoutMillis: 30000,
      statement_timeout: settings.statementTimeoutMs,
      // The server's statement_timeout cannot fire when the server itself stopped answering (a
      // frozen host, a dropped network path): the client gives up too, and the pool drops that
      // connection (its error is a connection error, answered 503).
      query_timeout: settings.queryTimeoutMs ?? settings.statementTimeoutMs + 1000,
      keepAlive: true,
    },
  };
}
