import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module';
import { createValidationPipe } from './common/validation/validation.pipe';
import { requestIdFrom } from './common/logging/logger.options';
import type { AppConfig } from './config/app-config';
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
  const adapter = new FastifyAdapter({
    bodyLimit: 1024 * 1024,
    // A hop count becomes "trust the nearest N proxies" (Fastify's types take it as a function).
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    return503OnClosing: true,
    // The caller's X-Request-Id is honoured when sane; the raw request keeps it for the logger.
    genReqId: (req: IncomingMessage) => {
      const id = requestIdFrom(req.headers['x-request-id']);
      (req as { id?: string }).id = id;
      return id;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, ...options }),
    adapter,
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing.has(fastify)) void reply.header('connection', 'close');
  });
  if (config.prometheusEnabled) registerHttpMetrics(fastify, app.get(MetricsService));
  setupOpenApi(app, config);

  await app.init();
  await fastify.ready();
  return app;
}
