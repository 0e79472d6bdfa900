import type { TlsOptions } from 'node:tls';
import type { DataSourceOptions } from 'typeorm';
import type { DependencyTls } from '../config/tls-config';
import { tlsConnectionOptions } from '../tls/tls-options';
import { MIGRATIONS } from '../../migrations';
import { DeadlineClient } from './deadline-client';

export interface DatabaseConnectionSettings {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  /** Client-side bound on a query; defaults to the statement timeout plus one second. */
  queryTimeoutMs?: number;
  connectTimeoutMs: number;
  /** DATABASE_URL's TLS options as read at start-up (files read once); absent: pg reads them from the URL. */
  tls?: DependencyTls;
}

/** pg's TLS parameters of a connection string; with `tls` they become the pool's `ssl` option instead. */
const PG_TLS_PARAMS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'];

function urlAndSsl(
  url: string,
  tls: DependencyTls | undefined,
): Pick<DataSourceOptions & { type: 'postgres' }, 'url' | 'ssl'> {
  if (!tls?.enabled) return { url };
  const parsed = new URL(url);
  for (const param of PG_TLS_PARAMS) parsed.searchParams.delete(param);
  // TypeORM types `ssl` as server-side TlsOptions; pg hands it to tls.connect (client ConnectionOptions).
  return { url: parsed.toString(), ssl: tlsConnectionOptions(tls) as TlsOptions };
}

/**
 * TypeORM options for every use: the app, the migration CLI, tests. `synchronize` is never on. No
 * entities: the app's feature modules register theirs (autoLoadEntities); a DataSource outside the
 * app takes standaloneDataSourceOptions (src/standalone-data-source.ts).
 */
export function dataSourceOptions(settings: DatabaseConnectionSettings): DataSourceOptions {
  return {
    type: 'postgres',
    ...urlAndSsl(settings.url, settings.tls),
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
      // connection (its error is a connection error, answered 503). DeadlineClient enforces it
      // (pg's own query_timeout timer kept in-flight results alive; see there).
      query_timeout: settings.queryTimeoutMs ?? settings.statementTimeoutMs + 1000,
      Client: DeadlineClient,
      keepAlive: true,
    },
  };
}
