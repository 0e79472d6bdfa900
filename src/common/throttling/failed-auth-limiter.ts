import { Injectable } from '@nestjs/common';
import { RateLimitedError } from '../errors/app-error';
import { ApiBucketCounter } from './api-bucket-counter';

/**
 * Requests that fail authentication never reach the throttler guard (the auth guard throws
 * first); this counts each of them in its client IP's API bucket (ApiBucketCounter), so a client
 * without a valid token is limited like any other, and answers 429 instead of 401 once the bucket
 * is full.
 */
@Injectable()
export class FailedAuthLimiter {
  constructor(private readonly bucket: ApiBucketCounter) {}

  async count(request: { ip: string }): Promise<void> {
    const hit = await this.bucket.hit({ ip: request.ip });
    if (hit?.isBlocked) throw new RateLimitedError(hit.timeToBlockExpire);
  }
}
