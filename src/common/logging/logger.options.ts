import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';
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
 * The fields of the request being served, kept in an AsyncLocalStorage of our own (on Node 24 it no
 * longer runs an async hook per promise). nestjs-pino's PinoLogger finds no request store of its own
 * and writes through the root logger, whose `mixin` adds these fields to each line written.
 */
const requestFields = new AsyncLocalStorage<RequestLogFields>();

/** The fields of the request being served, if any (the auth guard adds `user_id` here). */
export function currentLogFields(): RequestLogFields | undefined {
  return requestFields.getStore();
}

/** Runs the rest of a request inside its logging context. */
export function runInRequestContext(fields: RequestLogFields, next: () => void): void {
  requestFields.run(fields, next);
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
