import { Inject, Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { apiTracker, bucketKey } from '../../common/throttling/api-bucket';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';

/**
 * Counts each authenticated WebSocket connection as one API request in its user's REST bucket (the
 * throttler's `default` limit, same storage: Redis-shared with REDIS_URL), so opening sockets is
 * limited like calling the API. Storage trouble fails open, as the REST guard does.
 */
@Injectable()
export class WsThrottle {
  private readonly limit: { limit: number; ttl: number } | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
  ) {
    const throttlers = Array.isArray(options) ? options : options.throttlers;
    const api = throttlers.find((t) => (t.name ?? 'default') === 'default');
    this.limit =
      config.rateLimit.enabled && api && typeof api.limit === 'number' && typeof api.ttl === 'number'
        ? { limit: api.limit, ttl: api.ttl }
        : undefined;
  }

  /** False when the user's API bucket is full (the socket is then closed with 4429). */
  async allow(userId: number, ip: string): Promise<boolean> {
    if (!this.limit) return true;
    const { limit, ttl } = this.limit;
    try {
      const { isBlocked } = await this.storage.increment(
        bucketKey('default', apiTracker({ user: { id: userId }, ip })),
        ttl,
        limit,
        ttl,
        'default',
      );
      return !isBlocked;
    } catch {
      return true;
    }
  }
}
