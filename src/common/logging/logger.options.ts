import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { levels, type DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { AppConfig } from '../../config/app-config';
import { scrub, scrubText } from './redact';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a caller's X-Request-Id when it is a sane token; otherwise makes a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

type RawRequest = IncomingMessage & { id?: string; user?: { id: number } };

/**
 * One JSON object per line: timestamp, level, logger, message, request_id, user_id. Headers and
 * bodies are never logged; every record passes through `scrub`.
 */
export function loggerOptions(config: AppConfig, stream?: DestinationStream): Params {
  const threshold = levels.values[config.logLevel] ?? Infinity;
  const options: PinoHttpOptions<RawRequest> = {
    level: config.logLevel,
    messageKey: 'message',
    errorKey: 'err',
    base: { service: 'integration-service' },
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ level: label }),
      log: (record) => scrub(record) as Record<string, unknown>,
      bindings: (bindings) => scrub(bindings) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
    genReqId: (req: RawRequest) => req.id ?? requestIdFrom(req.headers['x-request-id']),
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    customProps: (req: RawRequest) => (req.user ? { user_id: req.user.id } : {}),
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse) =>
      `${req.method} ${stripQuery(req.url)} ${res.statusCode}`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) =>
      `${req.method} ${stripQuery(req.url)} ${res.statusCode}`,
    // A 503 is a dependency being away, already logged as a warning where it was detected.
    // Below the configured level the completion line is 'silent', so pino-http builds nothing for it.
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => {
      const level =
        err || (res.statusCode >= 500 && res.statusCode !== 503)
          ? 'error'
          : res.statusCode >= 400
            ? 'warn'
            : 'info';
      return levels.values[level] >= threshold ? level : 'silent';
    },
    quietReqLogger: true,
    serializers: {
      req: (req: RawRequest) => ({ method: req.method, path: stripQuery(req.url) }),
      res: (res: ServerResponse) => ({ status_code: res.statusCode }),
    },
    // Belt and braces: should a serializer ever be bypassed, these paths are still censored.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.password',
        '*.code',
      ],
      censor: '[REDACTED]',
    },
    customSuccessObject: (req: RawRequest, res: ServerResponse, value: Record<string, unknown>) =>
      completion(req, res, value),
    customErrorObject: (
      req: RawRequest,
      res: ServerResponse,
      _error: Error,
      value: Record<string, unknown>,
    ) => completion(req, res, value),
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/metrics' },
  };
  return { renameContext: 'logger', pinoHttp: (stream ? [options, stream] : options) as Params['pinoHttp'] };
}

/** The request-completed record: method, path and status only — never headers or bodies. */
function completion(
  _req: RawRequest,
  res: ServerResponse,
  value: Record<string, unknown>,
): Record<string, unknown> {
  return {
    status_code: res.statusCode,
    duration_ms: value.duration_ms,
    ...(value.err ? { err: value.err } : {}),
  };
}

/** Query strings may carry codes or tokens: log the path only. */
function stripQuery(url: string | undefined): string {
  return (url ?? '').split('?')[0];
}
