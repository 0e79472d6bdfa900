import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource, type EntityManager } from 'typeorm';
import { NotFoundError } from '../../common/errors/app-error';
import { isDatabaseUnavailable } from '../../common/errors/database-errors';
import { OutboxService } from '../../events/outbox/outbox.service';
import { SessionLeases } from '../leases/session-leases';
import { AccountsRepository } from './accounts.repository';
import { sessionEvents, type SessionChange } from './session-events';
import type { StepRecord } from './session-transitions';
import { TelegramAccountMetrics } from './telegram-account-metrics';
import { TelegramAudit } from './telegram-audit';
import type { TelegramSessionEntity } from './telegram-session.entity';

/**
 * How long a transition keeps trying when PostgreSQL drops mid-commit. Telegram has usually acted
 * already (a code sent, a sign-in accepted): a short blip should still end in the state Telegram is
 * in, not a 503 and a lost step. Back-off from 100 ms, doubling up to 500 ms.
 */
const COMMIT_RETRY_MS = 3000;
const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 500;

/**
 * The transaction of every SessionTransitions change: the repository's named change, its
 * integration_logs row(s) and its outbox events commit together or not at all; the metrics are
 * counted after the commit.
 *
 * When PostgreSQL is lost during a transition it is retried for up to COMMIT_RETRY_MS. A lost COMMIT
 * is in doubt: the first audit row's id is chosen here, so the retry first asks whether that row
 * exists — the state committed with it, or not at all — and never applies a change twice.
 */
@Injectable()
export class SessionCommit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly audit: TelegramAudit,
    private readonly metrics: TelegramAccountMetrics,
    private readonly outbox: OutboxService,
    private readonly leases: SessionLeases,
    @InjectPinoLogger(SessionCommit.name) private readonly logger: PinoLogger,
  ) {}

  /** A change without an audit row (a renewed QR token): the change and its events in one transaction. */
  async quiet(
    userId: number,
    change: (tx: EntityManager) => Promise<TelegramSessionEntity | null>,
    event: SessionChange,
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const row = await change(tx);
      if (row) for (const draft of sessionEvents(userId, event, row)) await this.outbox.add(tx, draft);
    });
  }

  /**
   * Runs `change` and the audit rows `records` names for its result in one transaction, then counts
   * them. Retries while PostgreSQL is unreachable, up to COMMIT_RETRY_MS (see the class comment).
   */
  async apply(
    event: SessionChange,
    userId: number,
    rowId: string,
    change: (tx: EntityManager) => Promise<TelegramSessionEntity>,
    records: (stored: TelegramSessionEntity) => StepRecord[],
  ): Promise<TelegramSessionEntity> {
    const auditId = randomUUID();
    const deadline = Date.now() + COMMIT_RETRY_MS;
    let delay = FIRST_RETRY_DELAY_MS;
    let failedBefore = false;
    let committedBefore = false;
    for (;;) {
      try {
        if (committedBefore || (failedBefore && (await this.audit.wasWritten(userId, auditId)))) {
          // The earlier COMMIT landed although its answer was lost: that is the stored state.
          committedBefore = true;
          const stored = await this.accounts.findForUser(userId, rowId);
          if (!stored) throw new NotFoundError('The session disappeared while changing its state');
          this.afterCommit(records(stored));
          return stored;
        }
        let steps: StepRecord[] = [];
        const stored = await this.dataSource.transaction(async (tx) => {
          await this.leases.assertFence(tx, rowId); // a replica that lost the session's lease writes nothing
          const row = await change(tx);
          steps = records(row);
          if (steps.length === 0) throw new Error('a state change must write its audit row');
          steps[0] = { ...steps[0], entry: { ...steps[0].entry, id: auditId } };
          for (const { entry } of steps) await this.audit.recordIn(tx, entry);
          for (const draft of sessionEvents(userId, event, row)) await this.outbox.add(tx, draft);
          return row;
        });
        this.afterCommit(steps);
        return stored;
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() + delay > deadline) throw error;
        failedBefore = true;
        this.logger.warn(
          { session_id: rowId, retry_in_ms: delay },
          'PostgreSQL was lost during a session state change; trying again',
        );
        await sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  private afterCommit(steps: StepRecord[]): void {
    for (const { entry, attempt } of steps) {
      this.audit.committed(entry);
      if (attempt) this.metrics.attempt(attempt.method, attempt.result);
    }
  }
}
