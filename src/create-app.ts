import type { IncomingMessage } from 'node:http';
import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoRootLogger } from 'pino';
import { AppModule, ROOT_LOGGER, type AppModuleOptions } from './app.module';
import { authenticateBeforeBody } from './common/auth/authenticate-before-body.hook';
import { Authenticator } from './common/auth/authenticator';
import { enableCors } from './common/http/cors';
import { onClientError, onFrameworkError } from './common/http/framework-errors';
import { registerJsonBodyParser } from './common/http/json-body-parser';
import { refuseUnstorableText } from './common/http/storable-text';
import { drainUnreadBodies } from './common/http/unread-body';
import { createValidationPipe } from './common/validation/validation.pipe';
import { requestIdFrom } from './common/logging/logger.options';
import { registerRequestLogging } from './common/logging/request-logging.hooks';
import type { AppConfig } from './config/app-config';
import { registerEventsSocket } from './events/ws/ws-route';
import { registerConsole } from './console/console-static';
import { registerHttpMetrics } from './metrics/http-metrics.hooks';
import { MetricsService } from './metrics/metrics.service';
import { setupOpenApi } from './openapi';

const closing = new WeakSet<object>();

/** From now on every response asks the client to close its connection (shutdown in progress). */
export function markClosing(app: NestFastifyApplication): void {
  closing.add(app.getHttpAdapter().getInstance());
}

export type CreateAppOptions = Omit<AppModuleOptions, 'config'>;

/** Builds the fully configured application (not yet listening). Used by main.ts, tests and benchmarks. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const { http } = config;
  const adapter = new FastifyAdapter({
    bodyLimit: http.bodyLimitBytes,
    // A request must arrive whole within requestTimeout (408, socket closed); a silent socket is
    // closed after connectionTimeout; Node checks pending requests every second or so, not every 30 s.
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.connectionTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(http.requestTimeoutMs, 15_000),
      connectionsCheckingInterval: Math.min(1000, http.requestTimeoutMs),
    },
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError,
    // A hop count becomes "trust the nearest N proxies" (Fastify's types take it as a function).
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    return503OnClosing: true,
    // No Nest middleware is used (every per-request step is a Fastify hook): without middie, one
    // onRequest hook less on every request.
    skipMiddie: true,
    // The caller's X-Request-Id is honoured when it is a sane token.
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers['x-request-id']),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, ...options }),
    adapter,
    // Our own JSON parser (registerJsonBodyParser) replaces Nest's; no form parser is wanted.
    { bufferLogs: true, bodyParser: false, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  enableCors(app, http);
  registerJsonBodyParser(fastify, http.bodyLimitBytes);
  // multipart/form-data only for POST /telegram/send with a file: one file part, bounded.
  await app.register(fastifyMultipart, {
    limits: { fileSize: config.send.mediaMaxBytes, files: 1, fields: 20, fieldSize: 70_000, parts: 21 },
  });
  registerRequestLogging(fastify, app.get<PinoRootLogger>(ROOT_LOGGER));
  // Callback-style hooks: no promise per request on the hot path.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // A refusal sent before the body was read: the body is read and discarded (bounded), so the client
  // sees the status instead of a reset connection.
  drainUnreadBodies(fastify, {
    maxBytes: Math.max(http.bodyLimitBytes, config.send.mediaMaxBytes) + 1024 * 1024,
    // A pause this long ends the drain: long enough for an honest client on a loaded machine (500 ms
    // cut a 5 MB upload in CI now and then), short enough that a stalled one is let go at once.
    idleMs: 2000,
    maxMs: Math.max(500, http.requestTimeoutMs / 2),
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing.has(fastify)) void reply.header('connection', 'close');
    done(null, payload);
  });
  authenticateBeforeBody(fastify, app.get(Authenticator));
  refuseUnstorableText(fastify);
  if (config.prometheusEnabled) registerHttpMetrics(fastify, app.get(MetricsService));
  setupOpenApi(app, config);
  await registerEventsSocket(app);
  await registerConsole(fastify);

  await app.init();
  await fastify.ready();
  return app;
}
