import { Inject, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { RateLimitedError } from '../errors/app-error';
import { apiTracker, bucketKey } from './api-bucket';

/**
 * Requests that fail authentication never reach the throttler guard (the auth guard throws
 * first); this counts each of them in its client IP's API bucket, so a client without a valid
 * token is limited like any other, and answers 429 instead of 401 once the bucket is full.
 */
@Injectable()
export class FailedAuthLimiter {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
  ) {}

  async count(request: { ip: string }): Promise<void> {
    const { enabled, apiLimit, apiWindowSeconds } = this.config.rateLimit;
    if (!enabled) return;
    const ttl = apiWindowSeconds * 1000;
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      bucketKey('default', apiTracker({ ip: request.ip })),
      ttl,
      apiLimit,
      ttl,
      'default',
    );
    if (isBlocked) throw new RateLimitedError(timeToBlockExpire);
  }
}
