import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../../config/app-config';
import { FailedAuthLimiter } from './failed-auth-limiter';

/**
 * Two named limits: `default` for the API (one bucket per user, per IP before authentication) and
 * `health` for `/health` and `/api/v1/health/detailed` (one bucket per IP). The liveness and
 * readiness probes and `/metrics` are never limited. Each controller opts out of the one that is not its own.
 * In-memory storage: limits are per replica.
 */
@Module({})
export class ThrottlingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { apiLimit, apiWindowSeconds, healthLimit } = config.rateLimit;
    return {
      module: ThrottlingModule,
      global: true,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'default', limit: apiLimit, ttl: apiWindowSeconds * 1000 },
            { name: 'health', limit: healthLimit, ttl: 60_000 },
          ],
        }),
      ],
      providers: [FailedAuthLimiter],
      exports: [ThrottlerModule, FailedAuthLimiter],
    };
  }
}
