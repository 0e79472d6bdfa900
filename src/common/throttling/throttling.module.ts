import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../../config/app-config';

/**
 * Two named limits: `default` for the API (per user, from configuration) and `health` for the
 * health routes (per IP). Each controller opts out of the one that is not its own.
 * In-memory storage: limits are per replica.
 */
@Module({})
export class ThrottlingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { apiLimit, apiWindowSeconds, healthLimit } = config.rateLimit;
    return {
      module: ThrottlingModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'default', limit: apiLimit, ttl: apiWindowSeconds * 1000 },
            { name: 'health', limit: healthLimit, ttl: 60_000 },
          ],
        }),
      ],
      exports: [ThrottlerModule],
    };
  }
}
