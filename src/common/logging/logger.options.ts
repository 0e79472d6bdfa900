import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../../config/app-config';
import { scrub, scrubText } from './redact';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a caller's X-Request-Id when it is a sane token; otherwise makes a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

/** Fields every line logged while serving a request carries (added only when a line is written). */
export interface RequestLogFields {
  request_id: string;
  user_id?: number;
}

/**
 * nestjs-pino's request store, carrying our per-request fields. Its logger is the app's root logger:
 * no child logger is built per request (pino's child/setLevel dominated the per-request profile).
 */
export class RequestLogStore extends Store {
  constructor(
    logger: Logger,
    readonly fields: RequestLogFields,
  ) {
    super(logger);
  }
}

/** The fields of the request being served, if any (the auth guard adds `user_id` here). */
export function currentLogFields(): RequestLogFields | undefined {
  const store = storage.getStore();
  return store instanceof RequestLogStore ? store.fields : undefined;
}

/** Runs the rest of a request inside its logging context (nestjs-pino's PinoLogger reads it). */
export function runInRequestContext(logger: Logger, fields: RequestLogFields, next: () => void): void {
  storage.run(new RequestLogStore(logger, fields), next);
}

/**
 * The app's root logger. One JSON object per line: timestamp, level, logger, message, and —
 * while serving a request — request_id and user_id (from `mixin`, computed only for lines actually
 * written). Every record passes through `scrub`; headers and bodies are never logged.
 */
export function createRootLogger(config: AppConfig, stream?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    messageKey: 'message',
    errorKey: 'err',
    base: { service: 'integration-service' },
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    // A copy: pino merges each record into the object mixin returns.
    mixin: () => {
      const fields = currentLogFields();
      return fields ? { ...fields } : {};
    },
    formatters: {
      level: (label) => ({ level: label }),
      log: (record) => scrub(record) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
  };
  return stream ? pino(options, stream) : pino(options);
}

/**
 * nestjs-pino over our root logger. `useExisting` + no routes: nestjs-pino installs no middleware
 * (no pino-http, no per-request child loggers); the request context comes from a Fastify hook
 * (see registerRequestLogging).
 */
export function loggerParams(logger: Logger): Params {
  return { renameContext: 'logger', pinoHttp: { logger }, useExisting: true, forRoutes: [] };
}
