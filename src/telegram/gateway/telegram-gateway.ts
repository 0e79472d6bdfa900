import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Histogram } from 'prom-client';
import type { TelegramClient } from 'telegram';
import { StringSession, type TelegramClientParams } from './gramjs';
import { withTimeout } from '../../common/util/with-timeout';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { HealthRegistry } from '../../health/health-registry';
import { MetricsService } from '../../metrics/metrics.service';
import { TelegramSessionBusyError, TelegramUnavailableError } from '../telegram.errors';
import { scrapedGauge } from '../../metrics/scraped-gauge';
import { CredentialCheck } from './credential-check';
import { SessionLeases, type Lease, type LeaseListener } from '../leases/session-leases';
import { GramJsLogBridge } from './gramjs-logger';
import { KeyLossSession } from './key-loss-session';
import { KeyedLock, LockTimeoutError, type Release } from './keyed-lock';
import type { TelegramApiCredentials } from '../credentials/telegram-credentials.provider';
import { GatewayCredentials } from './telegram-credentials';
import {
  classifyTelegramError,
  outcomeOf,
  poisonsClient,
  TelegramCallTimeoutError,
} from './telegram-error-mapping';
import { TelegramSessionHandle } from './telegram-session-handle';
import type { RunOptions, RunResult, SessionRef } from './session-run';
import {
  TELEGRAM_CLIENT_SOURCE,
  type EmulatorReach,
  type TelegramClientSource,
} from './telegram-client-source';
import { carryAuthorization, lostInMigration } from './user-migration';

export type { RunOptions, RunResult, SessionRef } from './session-run';
export {
  TELEGRAM_CLIENT_SOURCE,
  type EmulatorReach,
  type TelegramClientFactory,
  type TelegramClientSource,
} from './telegram-client-source';

interface PooledClient {
  readonly key: string;
  readonly client: TelegramClient;
  readonly session: StringSession;
  readonly handle: TelegramSessionHandle;
  readonly apiId: number;
  /** The replica-wide lease held while the client is open (none for a brand-new login's `new:` key). */
  readonly lease?: Lease;
  /** A run is using the client right now. */
  inUse: boolean;
  /** The StringSession the client was built from, updated after each run. */
  saved: string;
  idleTimer?: ReturnType<typeof setTimeout>;
}

/** Settles with the promise, or rejects with TelegramCallTimeoutError after `ms`. */
function bounded<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  return withTimeout(promise, ms, () => new TelegramCallTimeoutError(operation, ms));
}

/**
 * The only door to Telegram. It owns every GramJS client: one per session at a time (a per-key
 * lock, in-process — per replica), each call bounded by TELEGRAM_CALL_TIMEOUT_MS, GramJS errors
 * mapped to domain errors, idle clients destroyed, everything destroyed on shutdown.
 */
@Injectable()
export class TelegramGateway implements OnModuleInit, OnApplicationShutdown, LeaseListener {
  private readonly locks = new KeyedLock();
  private readonly pool = new Map<string, PooledClient>();
  private readonly credentialCheck = new CredentialCheck();
  private readonly gramLogger: GramJsLogBridge;
  private readonly durations: Histogram<'operation' | 'outcome'>;
  private closing = false;
  private draining = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TELEGRAM_CLIENT_SOURCE) private readonly source: TelegramClientSource,
    private readonly credentials: GatewayCredentials,
    private readonly health: HealthRegistry,
    private readonly leases: SessionLeases,
    metrics: MetricsService,
    @InjectPinoLogger(TelegramGateway.name) private readonly logger: PinoLogger,
  ) {
    this.gramLogger = new GramJsLogBridge({
      debug: (message) => this.logger.debug(message),
      warn: (message) => this.logger.warn(message),
    });
    this.durations = metrics.histogram(
      'telegram_request_duration_seconds',
      'GramJS calls (connect, each request) by operation and outcome',
      ['operation', 'outcome'],
      [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
    scrapedGauge(metrics, 'telegram_live_clients', 'GramJS clients connected in this process', [], (gauge) =>
      gauge.set(this.pool.size),
    );
  }

  /** How the emulator is reached when it stands in for Telegram; undefined with the real Telegram. */
  get emulator(): EmulatorReach | undefined {
    return this.source.emulator;
  }

  /** Connected clients in this process (in use or parked). */
  get liveClients(): number {
    return this.pool.size;
  }

  /** Whether this process has a client for the key (in use or parked). */
  hasClient(key: string): boolean {
    return this.pool.has(key);
  }

  onModuleInit(): void {
    this.leases.listen(this);
    if (this.source.startupWarning) this.logger.warn(this.source.startupWarning);
    this.health.register({
      key: 'telegram',
      type: this.source.description ?? 'Telegram MTProto',
      critical: false,
      probe: async () => {
        const { source, apiId } = await this.credentials.get();
        return {
          ...this.credentialCheck.report(apiId),
          mode: this.source.mode,
          credentials: source,
          live_clients: this.pool.size,
        };
      },
    });
  }

  /** The application id (api_id) every client connects with: TELEGRAM_API_ID, Vault's, or the emulator's. */
  async applicationId(): Promise<number> {
    return (await this.credentials.get()).apiId;
  }

  /**
   * Runs `work` with a connected client for the session, holding the session's lock throughout, and
   * answers its value with the session string and DC as they stand after it.
   */
  async run<T>(
    ref: SessionRef,
    options: RunOptions<T>,
    work: (handle: TelegramSessionHandle) => Promise<T>,
  ): Promise<RunResult<T>> {
    if (this.closing) throw new TelegramUnavailableError('The service is shutting down', 'shutdown');
    const credentials = await this.credentials.get();
    const release = await this.lock(ref.key);
    let entry: PooledClient | undefined;
    const wasParked = this.pool.has(ref.key);
    try {
      entry = await this.checkout(ref, credentials, options.leaseWait ?? true);
      entry.inUse = true;
      const value = await this.migrating(ref, entry, credentials, work);
      entry.saved = entry.session.save();
      const result: RunResult<T> = { value, session: entry.saved, dcId: entry.handle.dcId };
      const { keepAlive } = options;
      const keep =
        typeof keepAlive === 'function'
          ? keepAlive(value)
          : keepAlive === 'if_parked'
            ? wasParked
            : keepAlive;
      await this.checkin(entry, keep);
      return result;
    } catch (error) {
      const keep = options.keepAlive === true || (options.keepAlive === 'if_parked' && wasParked);
      if (entry) await this.checkin(entry, keep && !poisonsClient(error));
      throw error;
    } finally {
      release();
    }
  }

  /** Runs `work`; when USER_MIGRATE moved the signed-in session (see user-migration.ts), carries it over and runs it again. */
  private async migrating<T>(
    ref: SessionRef,
    entry: PooledClient,
    credentials: TelegramApiCredentials,
    work: (handle: TelegramSessionHandle) => Promise<T>,
  ): Promise<T> {
    try {
      return await work(entry.handle);
    } catch (error) {
      const dcId = entry.session.dcId;
      if (!lostInMigration(error, ref.session, dcId)) throw error;
      this.logger.info(
        { dc_id: dcId },
        'Telegram moved the account to another DC; carrying its authorization',
      );
      const old = this.source.factory(
        new StringSession(ref.session),
        credentials.apiId,
        credentials.apiHash,
        this.clientParams(),
      );
      await carryAuthorization(old, entry.client, dcId, (operation, fn) => this.call(operation, fn));
      return work(entry.handle);
    }
  }

  /**
   * LeaseListener: the lease ran out under this replica, so another one may connect any moment: the
   * client closes now, even mid-request (that request fails; its state write would be fenced anyway).
   */
  lost(key: string): void {
    const entry = this.pool.get(key);
    if (entry) void this.dispose(entry);
  }

  /** LeaseListener: another replica waits for this session; a parked client is handed over now. */
  wanted(key: string): void {
    const entry = this.pool.get(key);
    if (entry && !entry.inUse) void this.expire(entry);
  }

  /** Destroys the session's client if one is open here (e.g. the session was just wiped). */
  async release(key: string): Promise<void> {
    const release = await this.lock(key);
    try {
      const entry = this.pool.get(key);
      if (entry) await this.dispose(entry);
    } finally {
      release();
    }
  }

  /** SIGTERM: no client is parked any more; the parked ones close now and their leases go to other replicas. */
  async handOver(): Promise<void> {
    this.draining = true;
    const parked = [...this.pool.values()].filter((entry) => !entry.inUse);
    await Promise.allSettled(parked.map((entry) => this.expire(entry)));
  }

  /** Shutting down (SIGTERM): background work such as the watchdog leaves the sessions alone. */
  get handingOver(): boolean {
    return this.draining || this.closing;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    const entries = [...this.pool.values()];
    await Promise.allSettled(entries.map((entry) => this.dispose(entry)));
  }

  private async lock(key: string): Promise<Release> {
    try {
      return await this.locks.acquire(key, this.config.telegram.callTimeoutMs);
    } catch (error) {
      if (error instanceof LockTimeoutError) throw new TelegramSessionBusyError();
      throw error;
    }
  }

  /** The parked client for this session when it is still the same session and connected, else a new one. */
  private async checkout(
    ref: SessionRef,
    credentials: TelegramApiCredentials,
    leaseWait: boolean,
  ): Promise<PooledClient> {
    const parked = this.pool.get(ref.key);
    if (parked) {
      clearTimeout(parked.idleTimer);
      parked.idleTimer = undefined;
      const leased = !parked.lease || this.leases.isValid(parked.lease);
      if (
        leased &&
        parked.saved === ref.session &&
        parked.apiId === credentials.apiId &&
        parked.client.connected
      ) {
        return parked;
      }
      await this.dispose(parked);
    }
    // New logins' keys (`new:<uuid>`) are known to this request only: no other replica can want them.
    const lease = ref.key.startsWith('new:')
      ? undefined
      : await this.leases.acquire(ref.key, { wait: leaseWait });
    const session = new KeyLossSession(ref.session);
    const client = this.source.factory(session, credentials.apiId, credentials.apiHash, this.clientParams());
    const entry: PooledClient = {
      key: ref.key,
      client,
      session,
      apiId: credentials.apiId,
      lease,
      inUse: false,
      saved: ref.session,
      handle: new TelegramSessionHandle(client, session, credentials, (operation, fn) =>
        this.call(operation, fn, session, credentials.apiId),
      ),
    };
    this.pool.set(ref.key, entry);
    try {
      const connected = await this.call('connect', () => client.connect(), session, credentials.apiId);
      if (!connected) {
        throw new TelegramUnavailableError(
          'Telegram cannot be reached right now; try again shortly',
          'network',
        );
      }
    } catch (error) {
      await this.dispose(entry);
      throw error;
    }
    return entry;
  }

  private async checkin(entry: PooledClient, keep: boolean): Promise<void> {
    entry.inUse = false;
    const leased = !entry.lease || this.leases.isValid(entry.lease);
    if (!keep || this.closing || this.draining || !entry.client.connected || !leased) {
      await this.dispose(entry);
      return;
    }
    entry.idleTimer = setTimeout(() => void this.expire(entry), this.config.telegram.clientIdleMs);
    entry.idleTimer.unref();
  }

  /** Idle timeout: destroy the parked client unless a request is using the session right now. */
  private async expire(entry: PooledClient): Promise<void> {
    const release = this.locks.tryAcquire(entry.key);
    if (!release) return; // in use: it is parked again (with a new timer) when the request ends
    try {
      if (this.pool.get(entry.key) === entry) await this.dispose(entry);
    } finally {
      release();
    }
  }

  private async dispose(entry: PooledClient): Promise<void> {
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    if (this.pool.get(entry.key) === entry) this.pool.delete(entry.key);
    try {
      await bounded(entry.client.destroy(), this.config.telegram.callTimeoutMs, 'destroy');
    } catch (error) {
      this.logger.warn({ err: error }, 'A Telegram client did not close cleanly');
    }
    // Only after the client is gone: the next owner must never meet this one's connection.
    if (entry.lease) await this.leases.release(entry.lease);
  }

  /**
   * One GramJS call: bounded, timed, and its failure mapped to a domain error. A key Telegram reports
   * unknown (−404, see KeyLossSession) fails the call at once as revoked (`auth_key_unknown`).
   */
  private async call<T>(
    operation: string,
    fn: () => Promise<T>,
    session?: KeyLossSession,
    apiId?: number,
  ): Promise<T> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const work = Promise.resolve().then(fn);
      const guarded = session ? session.guard(work) : work;
      const result = await bounded(guarded, this.config.telegram.callTimeoutMs, operation);
      this.durations.observe({ operation, outcome: 'ok' }, seconds());
      if (apiId !== undefined) this.credentialCheck.accepted(operation, apiId);
      return result;
    } catch (error) {
      const mapped = classifyTelegramError(error);
      if (apiId !== undefined) this.credentialCheck.rejected(mapped, apiId);
      this.durations.observe({ operation, outcome: outcomeOf(mapped ?? error) }, seconds());
      if (mapped instanceof TelegramUnavailableError) {
        this.logger.warn({ operation, reason: mapped.reason }, 'Telegram call failed');
      }
      throw mapped ?? error;
    }
  }

  private clientParams(): TelegramClientParams {
    const { callTimeoutMs } = this.config.telegram;
    return {
      baseLogger: this.gramLogger,
      // GramJS retries forever by default and sleeps through flood waits: we fail fast and answer 429/503.
      connectionRetries: 1,
      reconnectRetries: 1,
      requestRetries: 3, // one DC migration needs two attempts
      retryDelay: 500,
      floodSleepThreshold: 0,
      timeout: Math.max(1, Math.ceil(callTimeoutMs / 1000)),
      deviceModel: this.config.appName,
      appVersion: this.config.version,
      systemVersion: `Node.js ${process.version}`,
      langCode: 'en',
      systemLangCode: 'en',
    };
  }
}
