import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { RateLimitedError } from '../errors/app-error';
import { apiTracker, bucketKey } from './api-bucket-key';

/**
 * Rate limits keyed by the authenticated user where the token named one (the auth guard runs
 * first), else by client IP — one bucket per user for the whole API, not one per route. A blocked
 * request gets 429 with a plain `Retry-After`.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: FastifyRequest): Promise<string> {
    return apiTracker(req);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return bucketKey(throttlerName, tracker);
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitedError(detail.timeToBlockExpire);
  }
}
