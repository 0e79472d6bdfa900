import type { OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import type { Counter } from 'prom-client';
import type { DependencyTls } from '../../config/tls-config';
import { describeTlsFailure } from '../../tls/tls-failure';
import { redisTlsOptions } from '../../tls/tls-options';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export interface RedisThrottlerOptions {
  url: string;
  /** REDIS_TLS_* (used with a rediss:// URL). */
  tls: DependencyTls;
  /** Prefix of every key this service writes (several environments may share one Redis). */
  keyPrefix: string;
  /** Bound on one Redis round trip; past it the request is let through (fail open). */
  commandTimeoutMs: number;
  /** Where the warning goes (the app's root logger, as `RateLimitStorage`). */
  logger: Logger;
  /** Counts the requests let through because Redis could not be asked. */
  failures: Counter<'reason'>;
}

/** At most one warning line per this interval while Redis stays away (every miss is still counted). */
const WARN_EVERY_MS = 10_000;

/**
 * Rate-limit counters in Redis (@nest-lab/throttler-storage-redis: one atomic script per hit), so N
 * replicas enforce one limit. Redis being away never fails or slows a request: ioredis queues
 * nothing while disconnected and each call is bounded, and a request whose hit could not be
 * counted is let through (fail open), counted in `rate_limit_storage_failures_total` and logged
 * once per 10 s (at once when the reason changes). ioredis reconnects by itself; limits apply again as soon as Redis answers.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly redis: Redis;
  private readonly inner: ThrottlerStorageRedisService;
  private lastWarning = 0;
  /** What the last warning said: a new reason (a TLS failure learnt later) is said at once. */
  private lastWarningText = '';
  /** Why the last connection attempt failed TLS (named in the warning), until a connection succeeds. */
  private tlsFailure: string | undefined;

  constructor(private readonly options: RedisThrottlerOptions) {
    const tls = redisTlsOptions(options.tls);
    this.redis = new Redis(options.url, {
      ...(tls ? { tls } : {}),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(1000, options.commandTimeoutMs),
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Connection errors are reported through the failures of the calls (without a listener ioredis
    // logs them itself); a TLS failure's reason is kept for the warning.
    this.redis.on('error', (error: unknown) => {
      this.tlsFailure = describeTlsFailure(options.tls, error) ?? this.tlsFailure;
    });
    this.redis.on('ready', () => {
      this.tlsFailure = undefined;
    });
    this.inner = new ThrottlerStorageRedisService(this.redis);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<StorageRecord> {
    try {
      return await this.inner.increment(
        `${this.options.keyPrefix}${key}`,
        ttl,
        limit,
        blockDuration,
        throttlerName,
      );
    } catch (error) {
      this.letThrough(error);
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect(false);
  }

  private letThrough(error: unknown): void {
    const reason = /timed? ?out/i.test(String((error as Error)?.message)) ? 'timeout' : 'unavailable';
    this.options.failures.inc({ reason });
    const now = Date.now();
    const text = `Rate-limit storage (Redis) ${reason}${this.tlsFailure ? ` (${this.tlsFailure})` : ''}: requests are let through uncounted until it answers`;
    if (now - this.lastWarning >= WARN_EVERY_MS || text !== this.lastWarningText) {
      this.lastWarning = now;
      this.lastWarningText = text;
      this.options.logger.warn(text);
    }
  }
}
