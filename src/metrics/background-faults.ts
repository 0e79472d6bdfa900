import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import { MetricsService } from './metrics.service';

/** The background workers whose faults are counted here. */
export type BackgroundWorker =
  | 'send_queue'
  | 'send_worker'
  | 'sender_leases'
  | 'watchdog'
  | 'log_retention'
  | 'outbox_monitor'
  | 'unhandled_rejection'
  | 'uncaught_exception';

/**
 * Faults a dependency throws at a background worker (PostgreSQL, Vault lost mid-job): each is
 * caught by the worker, which tries again itself; here it is counted every time
 * (`background_faults_total{worker}`) and logged once per streak — the first fault, then one line
 * when the worker works again — so an outage is one warning, not one per poll.
 */
@Injectable()
export class BackgroundFaults {
  private readonly faults: Counter<'worker'>;
  private readonly streaks = new Map<BackgroundWorker, number>();

  constructor(
    metrics: MetricsService,
    @InjectPinoLogger(BackgroundFaults.name) private readonly logger: PinoLogger,
  ) {
    this.faults = metrics.counter(
      'background_faults_total',
      'Faults of a dependency caught by a background worker and tried again, by worker',
      ['worker'],
    );
  }

  fault(worker: BackgroundWorker, error: unknown, facts: Record<string, unknown> = {}): void {
    this.faults.inc({ worker });
    const streak = (this.streaks.get(worker) ?? 0) + 1;
    this.streaks.set(worker, streak);
    if (streak === 1) {
      this.logger.warn(
        { worker, ...facts, reason: reasonOf(error) },
        'A background worker hit a fault; it tries again (further faults are counted, not logged)',
      );
    }
  }

  /**
   * A rejection or an exception nothing handled (main.ts's last guard). Every worker catches its own
   * faults, so this is a bug: logged as an error every time and counted under its kind — not a
   * reason to end the process and every send in flight with it (the state that matters is in
   * PostgreSQL, changed only by whole transactions).
   */
  unhandled(
    reason: unknown,
    kind: 'unhandled_rejection' | 'uncaught_exception' = 'unhandled_rejection',
  ): void {
    this.faults.inc({ worker: kind });
    this.logger.error(
      { err: reason, kind },
      kind === 'unhandled_rejection'
        ? 'Unhandled promise rejection (a bug: please report it)'
        : 'Uncaught exception (a bug: please report it)',
    );
  }

  /** The worker did its work: a streak of faults ends (with one line saying how long it was). */
  ok(worker: BackgroundWorker): void {
    const streak = this.streaks.get(worker);
    if (!streak) return;
    this.streaks.delete(worker);
    this.logger.info({ worker, faults: streak }, 'A background worker works again');
  }
}

/** The error's message (pg-boss emits plain objects copied from its errors). */
function reasonOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
