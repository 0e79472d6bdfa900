import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AccountsRepository } from '../accounts/accounts.repository';
import { holdsSecret, SessionSecrets } from '../accounts/session-secrets';
import { SessionTransitions } from '../accounts/session-transitions';
import { BotsService } from '../bots/bots.service';
import { TelegramGateway } from '../gateway/telegram-gateway';
import { SessionLeases } from '../leases/session-leases';
import {
  TelegramSessionBusyError,
  TelegramSessionRevokedError,
  TelegramUnavailableError,
} from '../telegram.errors';
import { WatchdogMetrics, type WatchdogResult } from './watchdog-metrics';
import { WatchdogRepository, type WatchdogTarget } from './watchdog.repository';
import { WatchdogTransitions } from './watchdog-transitions';
import { BackgroundFaults } from '../../metrics/background-faults';

/**
 * Checks every connected session and active bot once per TELEGRAM_WATCHDOG_INTERVAL_MS, so one that
 * silently stopped working does not look `connected` until someone calls it. A round takes the
 * targets no replica checked within the interval, spreads their starts evenly over it and runs at
 * most TELEGRAM_WATCHDOG_CONCURRENCY at once. A check needs the session's lease without waiting:
 * a session another replica holds is that replica's to check. Session: updates.GetState (revoked →
 * `revoked`; unreachable TELEGRAM_WATCHDOG_FAILURES times in a row, by whichever replicas checked it
 * (counted in telegram_session_leases.check_failures) → `error`, back to `connected`
 * once it answers). Bot: BotsService.check (revoked → `revoked`).
 */
@Injectable()
export class SessionWatchdog implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: ReturnType<typeof setTimeout>;
  private stopped = false;
  /** Wakes the round's sleeping workers at shutdown. */
  private readonly stopping = new AbortController();
  private round?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: WatchdogRepository,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
    private readonly gateway: TelegramGateway,
    private readonly leases: SessionLeases,
    private readonly transitions: SessionTransitions,
    private readonly watchdogTransitions: WatchdogTransitions,
    private readonly bots: BotsService,
    private readonly metrics: WatchdogMetrics,
    private readonly faults: BackgroundFaults,
    @InjectPinoLogger(SessionWatchdog.name) private readonly logger: PinoLogger,
  ) {}

  private get intervalMs(): number {
    return this.config.telegram.watchdog.intervalMs;
  }

  onApplicationBootstrap(): void {
    if (this.intervalMs > 0) this.schedule(Math.min(this.intervalMs, 1000));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.timer);
    await this.round; // only the checks already running (each bounded by TELEGRAM_CALL_TIMEOUT_MS)
  }

  /** One round: every due target, spread over the interval, bounded concurrency. */
  async runRound(): Promise<void> {
    this.metrics.roundStarted();
    const started = Date.now();
    let targets: WatchdogTarget[];
    try {
      targets = await this.repository.due(this.intervalMs);
      this.faults.ok('watchdog');
    } catch (error) {
      this.faults.fault('watchdog', error, { step: 'list targets' });
      return;
    }
    const spacing = targets.length > 0 ? (this.intervalMs * 0.8) / targets.length : 0;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < targets.length && !this.stopped; i = next++) {
        const wait = started + i * spacing - Date.now();
        if (wait > 0) await sleep(wait, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        if (this.stopped || this.gateway.handingOver) return;
        await this.check(targets[i]);
      }
    };
    await Promise.all(Array.from({ length: this.config.telegram.watchdog.concurrency }, worker));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      // A round never rejects (each check catches its own faults); this catch is the last guard.
      const round = this.runRound().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'A watchdog round failed; the next one runs as planned'),
      );
      this.round = round.finally(() => {
        this.round = undefined;
        this.schedule(Math.max(0, started + this.intervalMs - Date.now()));
      });
    }, delayMs);
    this.timer.unref();
  }

  private async check(target: WatchdogTarget): Promise<void> {
    let claim;
    try {
      // Another replica may have checked it since the round listed it: at most once per half interval.
      claim = await this.leases.claimCheck(target.id, this.intervalMs / 2);
    } catch (error) {
      this.faults.fault('watchdog', error, { step: 'claim a check', id: target.id });
      return;
    }
    if (!claim.claimed) {
      this.metrics.checked(target.kind, 'skipped');
      return;
    }
    const startedAt = process.hrtime.bigint();
    let result: WatchdogResult;
    try {
      result =
        target.kind === 'session'
          ? await this.checkSession(target, claim.failures)
          : await this.checkBot(target);
    } catch (error) {
      this.logger.warn({ err: error, kind: target.kind, id: target.id }, 'A watchdog check failed');
      result = 'error';
    }
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    this.metrics.checked(target.kind, result, result === 'skipped' ? undefined : seconds);
    // Not checked after all (the replica holding it checks it): leave it due.
    if (result === 'skipped') {
      await this.leases.unclaimCheck(target.id, claim.previous).catch((error: unknown) => {
        this.faults.fault('watchdog', error, { step: 'give a check back', id: target.id });
      });
    }
  }

  /** `failures`: unreachable checks in a row before this one (read with the claim). */
  private async checkSession({ id, userId }: WatchdogTarget, failures: number): Promise<WatchdogResult> {
    const row = await this.accounts.findForUser(userId, id);
    if (!row || !row.isActive || !holdsSecret(row.sessionData)) return 'skipped';
    if (row.status !== 'connected' && row.status !== 'error') return 'skipped';
    const { session } = await this.secrets.open(userId, row.sessionData);
    try {
      await this.gateway.run({ key: row.id, session }, { keepAlive: 'if_parked', leaseWait: false }, (tg) =>
        tg.getState(),
      );
    } catch (error) {
      if (error instanceof TelegramSessionBusyError) return 'skipped';
      if (error instanceof TelegramSessionRevokedError) {
        await this.transitions.reconnectFailed(userId, row, error, 'watchdog_check');
        return 'revoked';
      }
      if (!(error instanceof TelegramUnavailableError)) throw error;
      // Counted in the database: the replicas that check this session in turn count together.
      const inARow = await this.leases.noteCheckResult(id, false);
      if (inARow >= this.config.telegram.watchdog.failuresBeforeError && row.status === 'connected') {
        await this.watchdogTransitions.unreachable(row, error, error.reason);
        this.logger.warn(
          { session_id: id, reason: error.reason, failures: inARow },
          'Telegram session unreachable',
        );
      }
      return 'unreachable';
    }
    // A healthy session's count is already 0: no write, no round trip.
    if (failures > 0) await this.leases.noteCheckResult(id, true);
    if (row.status === 'error') {
      await this.watchdogTransitions.recovered(row);
      return 'recovered';
    }
    return 'ok';
  }

  private async checkBot({ id, userId }: WatchdogTarget): Promise<WatchdogResult> {
    try {
      const bot = await this.bots.check(userId, id, { leaseWait: false });
      return bot.status === 'revoked' ? 'revoked' : 'ok';
    } catch (error) {
      if (error instanceof TelegramSessionBusyError) return 'skipped';
      if (error instanceof TelegramUnavailableError) return 'unreachable';
      throw error;
    }
  }
}
