import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MetricsService } from '../../metrics/metrics.service';
import { scrapedGauge } from '../../metrics/scraped-gauge';
import { TelegramSessionBusyError } from '../telegram.errors';
import { fenceVerdict, type FenceRow, type HeldToken } from './fence';

/** A lease this replica holds: the session key and the fencing token it was granted. */
export interface Lease {
  readonly key: string;
  readonly token: string;
}

/** What the lease service tells its user (the gateway) about the leases it holds. */
export interface LeaseListener {
  /** The lease was not renewed in time (this replica was paused or lost PostgreSQL): close the client now. */
  lost(key: string): void;
  /** Another replica waits for the session: hand it over as soon as no request is using it. */
  wanted(key: string): void;
}

const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 250;
const WANTED_POLL_MS = 200;
/** Tokens of released leases are remembered this long for the write that follows a run. */
const TOKEN_MEMORY_MS = 10 * 60_000;

const ACQUIRE_SQL = `
  INSERT INTO telegram_session_leases AS l (key, owner, token, expires_at)
  VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
          clock_timestamp() + $3 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE
    SET owner = EXCLUDED.owner, token = GREATEST(l.token + 1, EXCLUDED.token),
        expires_at = EXCLUDED.expires_at, wanted_at = NULL
    WHERE l.owner IS NULL OR l.expires_at <= clock_timestamp()
  RETURNING token::text AS token`;

const RENEW_SQL = `
  UPDATE telegram_session_leases AS l SET expires_at = clock_timestamp() + $2 * interval '1 millisecond'
  FROM unnest($3::text[], $4::bigint[]) AS held(key, token)
  WHERE l.key = held.key AND l.token = held.token AND l.owner = $1 AND l.expires_at > clock_timestamp()
  RETURNING l.key`;

/** TypeORM answers an UPDATE ... RETURNING as `[rows, affected]`, other statements as the rows. */
function updatedRows<T>(result: unknown): T[] {
  return Array.isArray(result) && Array.isArray(result[0]) && typeof result[1] === 'number'
    ? (result[0] as T[])
    : (result as T[]);
}

/**
 * One owner per Telegram session across replicas: a lease row in PostgreSQL (table
 * telegram_session_leases) taken before a GramJS client is opened for a session or bot, renewed
 * every third of TELEGRAM_LEASE_TTL_MS while the client is open, released when it closes (at once on
 * SIGTERM), and lost after the TTL when the replica dies. PostgreSQL rather than Redis: it is always
 * there (Redis is optional and fails open), its clock is the one clock every replica reads, and the
 * fencing check can sit in the very transaction that writes the session's state (see `assertFence`).
 */
@Injectable()
export class SessionLeases implements OnApplicationShutdown {
  /** This replica's name in the owner column. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly held = new Map<string, Lease>();
  /** Local time until which each held lease is surely still ours (from before its last renewal). */
  private readonly validUntil = new Map<string, number>();
  /** The last token this replica was granted per key (also after release), for fencing its writes. */
  private readonly tokens = new Map<string, HeldToken>();
  private listener?: LeaseListener;
  private renewTimer?: ReturnType<typeof setInterval>;
  private wantedTimer?: ReturnType<typeof setInterval>;
  private readonly fenced: Counter<'reason'>;
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    metrics: MetricsService,
    @InjectPinoLogger(SessionLeases.name) private readonly logger: PinoLogger,
  ) {
    this.fenced = metrics.counter(
      'telegram_lease_fenced_writes_total',
      'Session state writes refused because this replica no longer held the session lease',
      ['reason'],
    );
    this.outcomes = metrics.counter(
      'telegram_lease_events_total',
      'Session leases acquired, found busy, handed over, lost or released by this replica',
      ['outcome'],
    );
    scrapedGauge(metrics, 'telegram_leases_held', 'Session leases this replica holds', [], (g) =>
      g.set(this.held.size),
    );
  }

  /** Who is told about lost and wanted leases (the gateway registers itself). */
  listen(listener: LeaseListener): void {
    this.listener = listener;
  }

  holds(lease: Lease): boolean {
    return this.held.get(lease.key)?.token === lease.token;
  }

  /** Held, and surely not expired yet by this replica's own clock (a paused process learns it here). */
  isValid(lease: Lease): boolean {
    return this.holds(lease) && (this.validUntil.get(lease.key) ?? 0) > Date.now();
  }

  /**
   * The lease on `key`; when another replica holds it, asks it to hand over and polls for up to
   * TELEGRAM_LEASE_WAIT_MS, then throws TelegramSessionBusyError (409, Retry-After). With `wait: false`
   * (the watchdog) one attempt only, and the holder is not disturbed.
   */
  async acquire(key: string, { wait }: { wait: boolean } = { wait: true }): Promise<Lease> {
    const deadline = Date.now() + (wait ? this.config.telegram.leaseWaitMs : 0);
    let delay = FIRST_POLL_MS;
    let asked = false;
    for (;;) {
      const asOf = Date.now();
      const rows = (await this.dataSource.query(ACQUIRE_SQL, [
        key,
        this.owner,
        this.config.telegram.leaseTtlMs,
      ])) as { token: string }[];
      if (rows.length > 0) {
        const lease: Lease = { key, token: rows[0].token };
        this.held.set(key, lease);
        this.validUntil.set(key, asOf + this.config.telegram.leaseTtlMs);
        this.tokens.set(key, { token: lease.token, releasedAt: undefined });
        this.outcomes.inc({ outcome: asked ? 'handed_over' : 'acquired' });
        this.startTimers();
        return lease;
      }
      if (!asked && wait) {
        asked = true;
        await this.dataSource.query(
          `UPDATE telegram_session_leases SET wanted_at = clock_timestamp() WHERE key = $1 AND owner IS NOT NULL`,
          [key],
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        this.outcomes.inc({ outcome: 'busy' });
        throw new TelegramSessionBusyError(Math.max(1, Math.ceil(this.config.telegram.leaseTtlMs / 3000)));
      }
      await sleep(Math.min(delay, remaining));
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
  }

  /** Gives the lease up (owner NULL). Never throws: an unreleased lease simply expires after its TTL. */
  async release(lease: Lease): Promise<void> {
    if (this.held.get(lease.key)?.token === lease.token) {
      this.held.delete(lease.key);
      this.validUntil.delete(lease.key);
    }
    const known = this.tokens.get(lease.key);
    if (known?.token === lease.token) known.releasedAt = Date.now();
    try {
      await this.dataSource.query(
        `UPDATE telegram_session_leases SET owner = NULL, wanted_at = NULL, expires_at = clock_timestamp()
         WHERE key = $1 AND token = $2 AND owner = $3`,
        [lease.key, lease.token, this.owner],
      );
      this.outcomes.inc({ outcome: 'released' });
    } catch (error) {
      this.logger.warn(
        { err: error, key: lease.key },
        'Could not release a session lease; it expires by itself',
      );
    }
  }

  /**
   * The watchdog's claim on checking `key` now: true (and `checked_at` set to now) unless some replica
   * checked it within `minAgeMs`, so N replicas check each session about once per interval. Creates
   * a released lease row when the session never had one.
   */
  async claimCheck(
    key: string,
    minAgeMs: number,
  ): Promise<{ claimed: boolean; previous: Date | null; failures: number }> {
    const rows = updatedRows<{ previous: Date | null; failures: number }>(
      await this.dataSource.query(
        `WITH old AS (SELECT checked_at FROM telegram_session_leases WHERE key = $1)
         INSERT INTO telegram_session_leases AS l (key, owner, token, expires_at, checked_at)
         VALUES ($1, NULL, (extract(epoch FROM clock_timestamp()) * 1000)::bigint, clock_timestamp(), clock_timestamp())
         ON CONFLICT (key) DO UPDATE SET checked_at = EXCLUDED.checked_at
           WHERE l.checked_at IS NULL OR l.checked_at < clock_timestamp() - $2 * interval '1 millisecond'
         RETURNING (SELECT checked_at FROM old) AS previous, l.check_failures AS failures`,
        [key, minAgeMs],
      ),
    );
    return rows.length > 0
      ? { claimed: true, previous: rows[0].previous, failures: rows[0].failures }
      : { claimed: false, previous: null, failures: 0 };
  }

  /** Gives a claim back (the check did not run: another replica holds the session). Never throws. */
  async unclaimCheck(key: string, previous: Date | null): Promise<void> {
    try {
      await this.dataSource.query(`UPDATE telegram_session_leases SET checked_at = $2 WHERE key = $1`, [
        key,
        previous,
      ]);
    } catch (error) {
      this.logger.warn({ err: error, key }, 'Could not give a watchdog claim back');
    }
  }

  /**
   * Notes one more watchdog check that found `key` unreachable, or (`reachable`) that it answered;
   * answers the count in a row, shared by every replica that checks it. (An answer after no failure
   * writes nothing.)
   */
  async noteCheckResult(key: string, reachable: boolean): Promise<number> {
    const rows = updatedRows<{ failures: number }>(
      await this.dataSource.query(
        `UPDATE telegram_session_leases
            SET check_failures = CASE WHEN $2 THEN 0 ELSE check_failures + 1 END
          WHERE key = $1 AND (NOT $2 OR check_failures > 0)
          RETURNING check_failures AS failures`,
        [key, reachable],
      ),
    );
    return rows[0]?.failures ?? 0;
  }

  /**
   * Fencing: inside the transaction that writes the state of session `key`, refuses (409
   * telegram_session_busy) when another replica acquired the lease after this replica's last one,
   * when this replica's lease expired, or when this replica never held it and another holds it now.
   * FOR SHARE makes a concurrent acquisition wait for this transaction, so the check cannot go stale
   * before the COMMIT.
   */
  async assertFence(tx: EntityManager, key: string): Promise<void> {
    // Two statements: a SELECT ... FOR SHARE computes its columns before it waits for the row lock,
    // so the expiry is read only once the lock is held.
    await tx.query(`SELECT 1 FROM telegram_session_leases WHERE key = $1 FOR SHARE`, [key]);
    const rows = (await tx.query(
      `SELECT owner, token::text AS token, expires_at > clock_timestamp() AS live
       FROM telegram_session_leases WHERE key = $1`,
      [key],
    )) as FenceRow[];
    const verdict = fenceVerdict(rows[0], this.tokens.get(key), this.owner);
    if (verdict === 'ok') return;
    this.fenced.inc({ reason: verdict });
    this.logger.warn({ key, reason: verdict }, 'A session state write was refused: the lease is not ours');
    throw new TelegramSessionBusyError(1);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopTimers();
    if (this.held.size === 0) return;
    this.held.clear();
    this.validUntil.clear();
    try {
      await this.dataSource.query(
        `UPDATE telegram_session_leases SET owner = NULL, wanted_at = NULL, expires_at = clock_timestamp()
         WHERE owner = $1`,
        [this.owner],
      );
    } catch (error) {
      this.logger.warn(
        { err: error },
        'Could not release the session leases at shutdown; they expire by themselves',
      );
    }
  }

  private startTimers(): void {
    if (this.renewTimer) return;
    this.renewTimer = setInterval(() => void this.renew(), this.renewEveryMs());
    this.renewTimer.unref();
    this.wantedTimer = setInterval(() => void this.checkWanted(), WANTED_POLL_MS);
    this.wantedTimer.unref();
  }

  private renewEveryMs(): number {
    return Math.max(100, Math.floor(this.config.telegram.leaseTtlMs / 3));
  }

  private stopTimers(): void {
    clearInterval(this.renewTimer);
    clearInterval(this.wantedTimer);
    this.renewTimer = undefined;
    this.wantedTimer = undefined;
  }

  /** One statement renews every lease held here; a lease it did not renew is lost. */
  private async renew(): Promise<void> {
    this.forgetOldTokens();
    const leases = [...this.held.values()];
    if (leases.length === 0) return;
    let renewed: Set<string>;
    const asOf = Date.now();
    try {
      const rows = updatedRows<{ key: string }>(
        await this.dataSource.query(RENEW_SQL, [
          this.owner,
          this.config.telegram.leaseTtlMs,
          leases.map((l) => l.key),
          leases.map((l) => l.token),
        ]),
      );
      renewed = new Set(rows.map((r) => r.key));
    } catch (error) {
      // Not renewed this time: the next tick tries again, but a lease that may have run out by then is
      // given up here, before another replica can take it over.
      this.logger.warn({ err: error, leases: leases.length }, 'Could not renew the session leases');
      const margin = Date.now() + this.renewEveryMs();
      renewed = new Set(leases.filter((l) => (this.validUntil.get(l.key) ?? 0) > margin).map((l) => l.key));
    }
    for (const lease of leases) {
      if (!this.holds(lease)) continue;
      if (renewed.has(lease.key)) {
        if (Date.now() - asOf < this.renewEveryMs()) {
          this.validUntil.set(lease.key, asOf + this.config.telegram.leaseTtlMs);
        }
        continue;
      }
      this.held.delete(lease.key);
      this.validUntil.delete(lease.key);
      this.outcomes.inc({ outcome: 'lost' });
      this.logger.warn({ key: lease.key }, 'A session lease was lost (not renewed in time)');
      this.listener?.lost(lease.key);
    }
  }

  private async checkWanted(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      const rows = (await this.dataSource.query(
        `SELECT key FROM telegram_session_leases WHERE owner = $1 AND wanted_at IS NOT NULL`,
        [this.owner],
      )) as { key: string }[];
      for (const { key } of rows) if (this.held.has(key)) this.listener?.wanted(key);
    } catch {
      // PostgreSQL away: nobody can take the lease over meanwhile either.
    }
  }

  private forgetOldTokens(): void {
    const cutoff = Date.now() - TOKEN_MEMORY_MS;
    for (const [key, known] of this.tokens) {
      if (known.releasedAt !== undefined && known.releasedAt < cutoff) this.tokens.delete(key);
    }
  }
}
