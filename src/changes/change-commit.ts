import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { isDatabaseUnavailable } from '../common/errors/database-outage';
import { OutboxService, type EventDraft } from '../events/outbox/outbox.service';
import { AuditLogService, type AuditEntry } from '../logs/audit-log.service';

/** What a state change wrote: its result, its integration_logs rows and its outbox events. */
export interface Change<T> {
  result: T;
  /** Written in order; the first one's id is chosen here and resolves a lost COMMIT. */
  audit: AuditEntry[];
  events?: EventDraft[];
}

/** Names the change in the retry warning: safe facts only (a kind and row ids). */
export type ChangeLabel = Record<string, string | number | undefined>;

/**
 * How long a change keeps trying when PostgreSQL drops mid-commit. Telegram has often acted already
 * (a code sent, a bot checked, a message accepted): a short blip should still end in the state
 * Telegram is in, not a 503 and a lost step. Back-off from 100 ms, doubling up to 500 ms.
 */
export const COMMIT_RETRY_MS = 3000;
const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 500;

/**
 * The one way a state change commits (the shape of Vendure's TransactionalConnection): `apply` opens
 * the transaction, runs the feature's change in it, writes the change's integration_logs rows and
 * outbox events with the same EntityManager, commits — all or nothing — and then counts the audit
 * rows. After-commit work (metrics, wake-ups) is the caller's, on the answer.
 *
 * One retry policy: while PostgreSQL is unreachable the change is tried again for up to
 * COMMIT_RETRY_MS. An attempt that failed before its COMMIT rolled back and simply runs again. A
 * lost COMMIT is in doubt: the first audit row's id is chosen here, so before anything runs again
 * the retry asks whether that row exists — the change committed with it, or not at all — and
 * answers the committed attempt's result; a change is never applied twice. A change without an
 * audit row cannot be resolved that way: its lost COMMIT fails as it came.
 */
@Injectable()
export class ChangeCommit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditLogService,
    private readonly outbox: OutboxService,
    @InjectPinoLogger(ChangeCommit.name) private readonly logger: PinoLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async apply<T>(label: ChangeLabel, run: (tx: EntityManager) => Promise<Change<T>>): Promise<Change<T>> {
    const auditId = randomUUID();
    const deadline = Date.now() + COMMIT_RETRY_MS;
    let delay = FIRST_RETRY_DELAY_MS;
    /**
     * The last attempt that reached its COMMIT without hearing back. At most one attempt can commit:
     * they all write the same audit row id, so a later one fails on that key if an earlier one landed.
     */
    let inDoubt: Change<T> | undefined;
    for (;;) {
      const attempt: { written?: Change<T> } = {};
      try {
        if (inDoubt && (await this.landed(inDoubt, auditId))) return this.committed(inDoubt);
        const change = await this.dataSource.transaction(async (tx) => {
          const written = await this.write(tx, await run(tx), auditId);
          attempt.written = written; // only the COMMIT is left
          return written;
        });
        return this.committed(change);
      } catch (error) {
        if (attempt.written) inDoubt = attempt.written;
        // An earlier COMMIT may have landed after all and made this attempt fail (a unique key).
        else if (inDoubt && !isDatabaseUnavailable(error) && (await this.landedQuietly(inDoubt, auditId)))
          return this.committed(inDoubt);
        if (!isDatabaseUnavailable(error) || Date.now() + delay > deadline) throw error;
        if (inDoubt && inDoubt.audit.length === 0) throw error;
        this.logger.warn(
          { ...label, retry_in_ms: delay },
          'PostgreSQL was lost during a state change; trying again',
        );
        await sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  private async write<T>(tx: EntityManager, change: Change<T>, auditId: string): Promise<Change<T>> {
    const [first, ...rest] = change.audit;
    const audit = first ? [{ ...first, id: auditId }, ...rest] : [];
    for (const entry of audit) await this.audit.recordIn(tx, entry);
    for (const draft of change.events ?? []) await this.outbox.add(tx, draft);
    // The COMMIT that follows must be applied before this attempt's query deadline, or not at all
    // (migration LateCommitGuard): a frozen server must not apply a change answered 503 after it resumes.
    if (audit.length > 0)
      await tx.query(`SELECT set_config('integration.commit_before', $1, true)`, [
        String(Date.now() + this.config.database.queryTimeoutMs),
      ]);
    return { ...change, audit };
  }

  private async landed<T>(change: Change<T>, auditId: string): Promise<boolean> {
    const first = change.audit[0];
    return first !== undefined && (await this.audit.wasWritten(first.userId, auditId));
  }

  private landedQuietly<T>(change: Change<T>, auditId: string): Promise<boolean> {
    return this.landed(change, auditId).catch(() => false);
  }

  private committed<T>(change: Change<T>): Change<T> {
    for (const entry of change.audit) this.audit.committed(entry);
    return change;
  }
}
