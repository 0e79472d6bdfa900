import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError, NotFoundError } from '../../common/errors/app-error';
import { isDatabaseUnavailable } from '../../common/errors/database-errors';
import type { AuditEntry } from '../../logs/audit-log.service';
import type { TelegramUserInfo } from '../gateway/telegram-session-handle';
import { SessionLeases } from '../leases/session-leases';
import { TelegramSessionRevokedError } from '../telegram.errors';
import { AccountsRepository } from './accounts.repository';
import type { CodeSentLogin, QrPendingLogin, ReplacedSession, SignedInSession } from './session-changes';
import { TelegramAccountMetrics, type LoginMethod } from './telegram-account-metrics';
import { TelegramAudit, type AuditFacts, type TelegramAction } from './telegram-audit';
import {
  PENDING_STATUSES,
  type EncryptedEnvelope,
  type SessionLoginMethod,
  type TelegramSessionEntity,
} from './telegram-session.entity';

/** One audit row of a transition, and the login-attempt metric it counts (after the commit). */
export interface StepRecord {
  entry: AuditEntry;
  attempt?: { method: LoginMethod; result: string };
}

/**
 * How long a transition keeps trying when PostgreSQL drops mid-commit. Telegram has usually acted
 * already (a code sent, a sign-in accepted): a short blip should still end in the state Telegram is
 * in, not a 503 and a lost step. Back-off from 100 ms, doubling up to 500 ms.
 */
const COMMIT_RETRY_MS = 3000;
const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 500;

/**
 * The one place a session's state changes. Each transition runs the repository's named change and
 * its integration_logs row(s) in one transaction — both commit or neither does — then counts the
 * metrics. (The coming real-time events belong here too: an outbox row inside the transaction,
 * WebSocket / broker delivery after the commit.)
 *
 * When PostgreSQL is lost during a transition it is retried for up to COMMIT_RETRY_MS. A lost COMMIT
 * is in doubt: the first audit row's id is chosen here, so the retry first asks whether that row
 * exists — the state committed with it, or not at all — and never applies a change twice.
 */
@Injectable()
export class SessionTransitions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly audit: TelegramAudit,
    private readonly metrics: TelegramAccountMetrics,
    private readonly leases: SessionLeases,
    @InjectPinoLogger(SessionTransitions.name) private readonly logger: PinoLogger,
  ) {}

  // --- records ----------------------------------------------------------------------------------------

  step(
    userId: number,
    action: TelegramAction,
    status: 'success' | 'pending',
    facts: AuditFacts,
    attempt?: [LoginMethod, string],
  ): StepRecord {
    return {
      entry: this.audit.entry(userId, action, status, facts),
      ...(attempt ? { attempt: { method: attempt[0], result: attempt[1] } } : {}),
    };
  }

  failure(
    userId: number,
    action: TelegramAction,
    error: unknown,
    facts: AuditFacts,
    method?: LoginMethod,
  ): StepRecord {
    return {
      entry: this.audit.failureEntry(userId, action, error, facts),
      ...(method
        ? { attempt: { method, result: error instanceof AppError ? error.code : 'internal_error' } }
        : {}),
    };
  }

  // --- login ------------------------------------------------------------------------------------------

  codeSent(userId: number, login: CodeSentLogin): Promise<TelegramSessionEntity> {
    return this.apply(
      userId,
      login.id,
      (tx) => this.accounts.markCodeSent(tx, userId, login),
      (row) => [
        this.step(
          userId,
          'send_code',
          'success',
          { session_id: row.id, phone: row.phone, dc_id: row.dcId, method: 'phone_code' },
          ['phone_code', 'code_sent'],
        ),
      ],
    );
  }

  codeResent(
    userId: number,
    row: TelegramSessionEntity,
    changes: { sessionData: EncryptedEnvelope; dcId: number; codeViaApp: boolean; codeType: string },
    /** `sign_in`: Telegram answered AUTH_RESTART and the login was started again with a new code. */
    cause: 'resend_code' | 'sign_in' = 'resend_code',
  ): Promise<TelegramSessionEntity> {
    const { codeType, ...stored } = changes;
    const restarted = cause === 'sign_in';
    return this.apply(
      userId,
      row.id,
      (tx) => this.accounts.markCodeResent(tx, userId, row.id, stored),
      (updated) => [
        this.step(
          userId,
          cause,
          restarted ? 'pending' : 'success',
          {
            session_id: updated.id,
            phone: updated.phone,
            dc_id: updated.dcId,
            method: 'phone_code',
            code_type: codeType,
            ...(restarted ? { outcome: 'auth_restart' } : {}),
          },
          ['phone_code', restarted ? 'auth_restart' : 'code_resent'],
        ),
      ],
    );
  }

  qrIssued(userId: number, login: QrPendingLogin): Promise<TelegramSessionEntity> {
    return this.apply(
      userId,
      login.id,
      (tx) => this.accounts.markQrPending(tx, userId, login),
      (row) => [
        this.step(userId, 'qr_export', 'pending', { session_id: row.id, dc_id: row.dcId, method: 'qr' }, [
          'qr',
          'qr_issued',
        ]),
      ],
    );
  }

  /** The login now waits for its 2FA password; `also` records a failed password sent in the same request. */
  passwordNeeded(
    userId: number,
    row: TelegramSessionEntity,
    session: { sessionData: EncryptedEnvelope; dcId: number },
    action: 'sign_in' | 'qr_login',
    also: StepRecord[] = [],
  ): Promise<TelegramSessionEntity> {
    const method: SessionLoginMethod = action === 'qr_login' ? 'qr' : 'phone_code';
    return this.apply(
      userId,
      row.id,
      (tx) => this.accounts.markPasswordNeeded(tx, userId, row.id, session),
      (stored) => [
        this.step(
          userId,
          action,
          'pending',
          {
            session_id: stored.id,
            phone: stored.phone,
            dc_id: stored.dcId,
            method,
            outcome: '2fa_required',
          },
          [method, '2fa_required'],
        ),
        ...also,
      ],
    );
  }

  /**
   * The login succeeded: the row turns connected, the user's older rows of the same Telegram account
   * are removed in the same transaction (answered back so their keys can be logged out after it).
   */
  async connected(
    userId: number,
    row: TelegramSessionEntity,
    signedIn: SignedInSession,
    method: SessionLoginMethod,
    records: (stored: TelegramSessionEntity) => StepRecord[],
  ): Promise<{ row: TelegramSessionEntity; replaced: ReplacedSession[] }> {
    let replaced: ReplacedSession[] = [];
    const stored = await this.apply(
      userId,
      row.id,
      async (tx) => {
        const connected = await this.accounts.markConnected(tx, userId, row, signedIn, method);
        replaced = await this.accounts.removeOthersOfAccount(tx, userId, signedIn.user.id, row.id);
        return connected;
      },
      records,
    );
    return { row: stored, replaced };
  }

  /** A pending login ends for good (`reason` in last_error), with the failed step's audit row. */
  loginFailed(
    userId: number,
    row: TelegramSessionEntity,
    reason: string,
    record: StepRecord,
  ): Promise<TelegramSessionEntity> {
    return this.apply(
      userId,
      row.id,
      (tx) => this.accounts.markLoginFailed(tx, userId, row.id, reason),
      () => [record],
    );
  }

  // --- lifecycle --------------------------------------------------------------------------------------

  reconnected(
    userId: number,
    row: TelegramSessionEntity,
    seen: { user: TelegramUserInfo; dcId: number; sessionData?: EncryptedEnvelope },
  ): Promise<TelegramSessionEntity> {
    return this.apply(
      userId,
      row.id,
      (tx) => this.accounts.markReconnected(tx, userId, row, seen),
      (stored) => [
        this.step(userId, 'reconnect', 'success', {
          session_id: stored.id,
          phone: row.phone,
          dc_id: stored.dcId,
        }),
      ],
    );
  }

  /**
   * Reconnect failed. A revoked (or duplicated) session turns inactive and is wiped; another domain
   * error is noted in last_error with the state unchanged; anything else only gets its audit row.
   */
  async reconnectFailed(
    userId: number,
    row: TelegramSessionEntity,
    error: unknown,
    action: 'reconnect' | 'watchdog_check' = 'reconnect',
  ): Promise<TelegramSessionEntity | null> {
    const facts = { session_id: row.id, phone: row.phone, dc_id: row.dcId };
    const record = this.failure(userId, action, error, facts);
    if (error instanceof TelegramSessionRevokedError) {
      const stored = await this.apply(
        userId,
        row.id,
        (tx) =>
          this.accounts.markRevoked(tx, userId, row.id, {
            reason: error.reason,
            duplicated: error.duplicated,
          }),
        () => [record],
      );
      this.logger.warn({ session_id: row.id, reason: error.reason }, 'Telegram session is no longer valid');
      return stored;
    }
    if (error instanceof AppError) {
      try {
        return await this.apply(
          userId,
          row.id,
          (tx) => this.accounts.noteError(tx, userId, row.id, error.code),
          () => [record],
        );
      } catch (noteFailure) {
        // The caller answers Telegram's error; the state stays as stored (without this note).
        this.logger.warn({ err: noteFailure, session_id: row.id }, 'Could not note a reconnect failure');
        return null;
      }
    }
    await this.stepFailed(userId, action, error, facts);
    return null;
  }

  /**
   * A step that failed without changing the state (a wrong code, Telegram unreachable): its audit
   * row (written at once; never throws) and the attempt metric.
   */
  async stepFailed(
    userId: number,
    action: TelegramAction,
    error: unknown,
    facts: AuditFacts,
    method?: LoginMethod,
  ): Promise<void> {
    if (method) this.metrics.failure(method, error);
    await this.audit.failed(userId, action, error, facts);
  }

  disconnected(
    userId: number,
    row: TelegramSessionEntity,
    outcome: { loggedOut: boolean; reason?: string },
  ): Promise<TelegramSessionEntity> {
    const wasPending = PENDING_STATUSES.includes(row.status);
    return this.apply(
      userId,
      row.id,
      (tx) => this.accounts.markDisconnected(tx, userId, row.id, outcome.reason),
      () => [
        this.step(userId, 'disconnect', 'success', {
          session_id: row.id,
          phone: row.phone,
          dc_id: row.dcId,
          logged_out: outcome.loggedOut,
          ...(wasPending ? { cancelled_login: true } : {}),
          ...(outcome.reason ? { reason: outcome.reason } : {}),
        }),
      ],
    );
  }

  // --- the transaction ----------------------------------------------------------------------------------

  /**
   * Runs `change` and the audit rows `records` names for its result in one transaction, then counts
   * them. Retries while PostgreSQL is unreachable, up to COMMIT_RETRY_MS (see the class comment).
   * Public for the transitions kept in files of their own (WatchdogTransitions).
   */
  async apply(
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
