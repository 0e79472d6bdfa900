import { Inject, Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { apiTracker, bucketKey } from './api-bucket-key';

/** One hit in a bucket: whether it is full now, and for how many seconds. */
export interface BucketHit {
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * Counts one request in a caller's API bucket outside the throttler guard — the `default` limit the
 * guard uses, from the same throttler options and storage (Redis-shared with REDIS_URL). For the
 * requests the guard never sees: failed authentication, WebSocket connections.
 */
@Injectable()
export class ApiBucketCounter {
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

  /** Undefined when rate limiting is off; storage errors propagate (each caller decides). */
  async hit(caller: { user?: { id: number }; ip: string }): Promise<BucketHit | undefined> {
    if (!this.limit) return undefined;
    const { limit, ttl } = this.limit;
    return this.storage.increment(bucketKey('default', apiTracker(caller)), ttl, limit, ttl, 'default');
  }
}
