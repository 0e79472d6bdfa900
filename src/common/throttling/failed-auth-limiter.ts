import { Inject, Injectable } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { RateLimitedError } from '../errors/app-error';
import { apiTracker, bucketKey } from './api-bucket';

/**
 * Requests that fail authentication never reach the throttler guard (the auth guard throws
 * first); this counts each of them in its client IP's API bucket — the `default` limit the guard
 * uses, from the same throttler options and storage — so a client without a valid token is limited
 * like any other, and answers 429 instead of 401 once the bucket is full.
 */
@Injectable()
export class FailedAuthLimiter {
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

  async count(request: { ip: string }): Promise<void> {
    if (!this.limit) return;
    const { limit, ttl } = this.limit;
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      bucketKey('default', apiTracker({ ip: request.ip })),
      ttl,
      limit,
      ttl,
      'default',
    );
    if (isBlocked) throw new RateLimitedError(timeToBlockExpire);
  }
}
