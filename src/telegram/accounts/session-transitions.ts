import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { EntityManager } from 'typeorm';
import { ChangeCommit } from '../../changes/change-commit';
import { AppError } from '../../common/errors/app-error';
import type { AuditEntry } from '../../logs/audit-log.service';
import type { TelegramUserInfo } from '../gateway/telegram-session-handle';
import { SessionLeases } from '../leases/session-leases';
import { TelegramSessionRevokedError } from '../telegram.errors';
import { AccountsRepository } from './accounts.repository';
import type { CodeSentLogin, QrPendingLogin, ReplacedSession, SignedInSession } from './login-inputs';
import { sessionEvents, type SessionChange } from './session-events';
import { TelegramAccountMetrics, type LoginMethod } from './telegram-account-metrics';
import { TelegramAudit, type AuditFacts, type TelegramAction } from './telegram-audit';
import {
  PENDING_STATUSES,
  type EncryptedEnvelope,
  type SessionLoginMethod,
  type TelegramSessionEntity,
} from './telegram-session.entity';

type QrRenewal = { sessionData: EncryptedEnvelope; dcId: number; qrExpiresAt: Date };

/** One audit row of a transition, and the login-attempt metric it counts (after the commit). */
export interface StepRecord {
  entry: AuditEntry;
  attempt?: { method: LoginMethod; result: string };
}

/**
 * The one place a session's state changes. Each transition runs the repository's named change, its
 * integration_logs row(s) and its events (session-events.ts, into the outbox) in one transaction
 * (ChangeCommit, fenced by the session's lease) — all commit or none does, a lost COMMIT resolved
 * by the first audit row — then counts the metrics. Broker and WebSocket delivery follow the commit.
 */
@Injectable()
export class SessionTransitions {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly audit: TelegramAudit,
    private readonly metrics: TelegramAccountMetrics,
    private readonly changes: ChangeCommit,
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
      { kind: 'code_sent' },
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
      { kind: 'code_resent', codeType },
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
      { kind: 'qr_issued' },
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
      { kind: 'password_needed' },
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
    // Per attempt (ChangeCommit may run the change again): the rows the committed attempt removed.
    const replacedBy = new WeakMap<TelegramSessionEntity, ReplacedSession[]>();
    const stored = await this.apply(
      { kind: 'connected', from: row.status },
      userId,
      row.id,
      async (tx) => {
        const connected = await this.accounts.markConnected(tx, userId, row, signedIn, method);
        replacedBy.set(
          connected,
          await this.accounts.removeOthersOfAccount(tx, userId, signedIn.user.id, row.id),
        );
        return connected;
      },
      records,
    );
    return { row: stored, replaced: replacedBy.get(stored) ?? [] };
  }

  /** A pending login ends for good (`reason` in last_error), with the failed step's audit row. */
  loginFailed(
    userId: number,
    row: TelegramSessionEntity,
    reason: string,
    record: StepRecord,
  ): Promise<TelegramSessionEntity> {
    return this.apply(
      { kind: 'login_failed', reason },
      userId,
      row.id,
      (tx) => this.accounts.markLoginFailed(tx, userId, row.id, reason),
      () => [record],
    );
  }

  /** A QR login's token was renewed (no audit row: nothing happened yet), with its event. */
  qrRenewed(userId: number, row: TelegramSessionEntity, changes: QrRenewal): Promise<void> {
    return this.quiet(
      userId,
      async (tx) =>
        (await this.accounts.refreshQrToken(tx, userId, row.id, changes))
          ? ({ ...row, ...changes } as TelegramSessionEntity)
          : null,
      { kind: 'qr_renewed' },
    );
  }

  // --- lifecycle --------------------------------------------------------------------------------------

  reconnected(
    userId: number,
    row: TelegramSessionEntity,
    seen: { user: TelegramUserInfo; dcId: number; sessionData?: EncryptedEnvelope },
  ): Promise<TelegramSessionEntity> {
    return this.apply(
      { kind: 'reconnected' },
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
        { kind: 'revoked', reason: error.reason },
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
          { kind: 'error_noted', reason: error.code },
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
      { kind: 'disconnected', reason: outcome.reason },
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

  /**
   * Runs `change` — fenced: a replica that lost the session's lease writes nothing — with the audit
   * rows `records` names for its result and the change's events, through ChangeCommit; then counts
   * the login attempts. Public for the transitions kept in files of their own (WatchdogTransitions).
   */
  async apply(
    event: SessionChange,
    userId: number,
    rowId: string,
    change: (tx: EntityManager) => Promise<TelegramSessionEntity>,
    records: (stored: TelegramSessionEntity) => StepRecord[],
  ): Promise<TelegramSessionEntity> {
    const { result } = await this.changes.apply({ change: 'session', session_id: rowId }, async (tx) => {
      await this.leases.assertFence(tx, rowId);
      const row = await change(tx);
      const steps = records(row);
      if (steps.length === 0) throw new Error('a state change must write its audit row');
      const events = sessionEvents(userId, event, row);
      return { result: { row, steps }, audit: steps.map((step) => step.entry), events };
    });
    for (const { attempt } of result.steps) if (attempt) this.metrics.attempt(attempt.method, attempt.result);
    return result.row;
  }

  /** A change without an audit row (a renewed QR token): the change and its events, through ChangeCommit. */
  private async quiet(
    userId: number,
    change: (tx: EntityManager) => Promise<TelegramSessionEntity | null>,
    event: SessionChange,
  ): Promise<void> {
    await this.changes.apply({ change: 'session' }, async (tx) => {
      const row = await change(tx);
      return { result: row, audit: [], events: row ? sessionEvents(userId, event, row) : [] };
    });
  }
}
