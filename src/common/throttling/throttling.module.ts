import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { ApiBucketCounter } from './api-bucket-counter';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { RedisThrottlerStorage } from './redis-throttler-storage';

const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

/** Where the counters live: Redis with REDIS_URL (shared by every replica), else in memory (per replica). */
@Module({})
class RateLimitStorageModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    const url = config.redisUrl;
    return {
      module: RateLimitStorageModule,
      providers: [
        {
          provide: RATE_LIMIT_STORAGE,
          inject: [MetricsService],
          useFactory: (metrics: MetricsService): ThrottlerStorage | null =>
            url
              ? new RedisThrottlerStorage({
                  url,
                  tls: config.tls.redis,
                  keyPrefix: `${config.redisKeyPrefix}ratelimit:`,
                  commandTimeoutMs: config.rateLimit.redisTimeoutMs,
                  logger: logger.child({ logger: 'RateLimitStorage' }),
                  failures: metrics.counter(
                    'rate_limit_storage_failures_total',
                    'Requests let through uncounted because the rate-limit storage (Redis) did not answer',
                    ['reason'],
                  ),
                })
              : null,
        },
      ],
      exports: [RATE_LIMIT_STORAGE],
    };
  }
}

/**
 * Three named limits: `default` for the API (one bucket per user, per IP before authentication),
 * `api-key` for a request made with an API key (one bucket per key, besides its user's) and `health`
 * for `/health` and `/api/v1/health/detailed` (one bucket per IP). The liveness and
 * readiness probes and `/metrics` are never limited. Each controller opts out of the one that is not its own.
 */
@Module({})
export class ThrottlingModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    const { apiLimit, apiWindowSeconds, apiKeyLimit, healthLimit } = config.rateLimit;
    return {
      module: ThrottlingModule,
      global: true,
      imports: [
        ThrottlerModule.forRootAsync({
          imports: [RateLimitStorageModule.forRoot(config, logger)],
          inject: [RATE_LIMIT_STORAGE],
          useFactory: (storage: ThrottlerStorage | null) => ({
            throttlers: [
              { name: 'default', limit: apiLimit, ttl: apiWindowSeconds * 1000 },
              { name: 'health', limit: healthLimit, ttl: 60_000 },
              {
                name: 'api-key',
                limit: apiKeyLimit,
                ttl: apiWindowSeconds * 1000,
                skipIf: (context) => !context.switchToHttp().getRequest<FastifyRequest>().user?.apiKey,
                getTracker: (request) => `key:${(request as FastifyRequest).user?.apiKey?.id ?? ''}`,
              },
            ],
            ...(storage ? { storage } : {}),
          }),
        }),
      ],
      providers: [ApiBucketCounter, FailedAuthLimiter],
      exports: [ThrottlerModule, ApiBucketCounter, FailedAuthLimiter],
    };
  }
}
