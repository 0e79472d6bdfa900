import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type FindOptionsWhere, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { poolQueryValues } from '../../database/pool-query';
import type { TelegramUserInfo } from '../gateway/telegram-session-handle';
import { SessionStateError } from '../telegram.errors';
import type { CodeSentLogin, QrPendingLogin, ReplacedSession, SignedInSession } from './login-inputs';
import { listedEntity, listSessionsSql } from './listed-session';
import { normalizePhone } from './phone';
import {
  PENDING_STATUSES,
  SESSION_STATUSES,
  TelegramSessionEntity,
  type EncryptedEnvelope,
  type SessionLoginMethod,
  type SessionStatus,
} from './telegram-session.entity';

/** The ciphertext is replaced by this once a session ends (the column is NOT NULL). */
export const WIPED_SESSION_DATA: EncryptedEnvelope = {};

/** A status list as SQL literals (constants of this module, never input): lets the planner match the partial index. */
function statusList(statuses: readonly SessionStatus[]): string {
  for (const status of statuses) {
    if (!SESSION_STATUSES.includes(status)) throw new RangeError(`unknown session status ${status}`);
  }
  return statuses.map((status) => `'${status}'`).join(', ');
}

const PENDING_SQL = statusList(PENDING_STATUSES);

/** The profile columns of a signed-in Telegram user: written by one function for every transition. */
function profileOf(user: TelegramUserInfo): Partial<TelegramSessionEntity> {
  return {
    telegramUserId: user.id,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
  };
}

/**
 * Owner-scoped access to telegram_sessions: every method that reads or writes rows takes the user id,
 * so no code path can reach another user's session by id. (`countByStatus` returns counts only.)
 *
 * A session's state changes only through the named transitions (`markCodeSent`, `markConnected`,
 * ...), each with the transaction's EntityManager: SessionTransitions runs them together with their
 * audit rows. A transition names the states it may start from; when the row is no longer in one of
 * them (another request changed it meanwhile) it throws and the transaction rolls back.
 */
@Injectable()
export class AccountsRepository {
  constructor(
    @InjectRepository(TelegramSessionEntity) private readonly sessions: Repository<TelegramSessionEntity>,
  ) {}

  // --- reads ------------------------------------------------------------------------------------------

  /**
   * The list route's query, written as SQL with explicit mapping: TypeORM's find() spends about
   * 0.3 ms per request building the query and hydrating 20 entities (npm run bench). Never selects
   * session_data.
   */
  async listForUser(userId: number, activeOnly: boolean): Promise<TelegramSessionEntity[]> {
    const rows = await poolQueryValues(this.sessions.manager.connection, listSessionsSql(activeOnly), [
      userId,
    ]);
    return rows.map((values) => listedEntity(values));
  }

  /** The user's row with this id (session data included), or null — also for another user's id. */
  findForUser(userId: number, id: string, tx?: EntityManager): Promise<TelegramSessionEntity | null> {
    const where = { id, userId };
    return tx ? tx.findOne(TelegramSessionEntity, { where }) : this.sessions.findOne({ where });
  }

  /** The user's newest login in one of `statuses` (pending ones) for this phone. */
  findNewestPending(
    userId: number,
    phone: string,
    statuses: readonly SessionStatus[],
  ): Promise<TelegramSessionEntity | null> {
    return this.sessions
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.phone = :phone AND s.is_active = false', { userId, phone })
      .andWhere(`s.status IN (${statusList(statuses.filter((s) => PENDING_STATUSES.includes(s)))})`)
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getOne();
  }

  /** The user's sessions for this phone that still hold a stored credential (any state). */
  async findHoldingSecretForPhone(userId: number, phone: string): Promise<TelegramSessionEntity[]> {
    return this.sessions
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.phone = :phone', { userId, phone })
      .andWhere("s.session_data <> '{}'::jsonb")
      .getMany();
  }

  /** The user's newest QR login (no phone yet) waiting for its 2FA password. */
  findNewestQrAwaitingPassword(userId: number): Promise<TelegramSessionEntity | null> {
    return this.sessions
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.phone IS NULL AND s.is_active = false', { userId })
      .andWhere(`s.status = '2fa_required' AND s.login_method = 'qr'`)
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getOne();
  }

  /** Sessions per status across all users: counts only, for the `telegram_sessions` gauge. */
  async countByStatus(): Promise<{ status: string; count: number }[]> {
    const rows: { status: string; count: number }[] = await this.sessions.query(
      'SELECT status, COUNT(*)::int AS count FROM telegram_sessions GROUP BY status',
    );
    return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
  }

  /** One round trip: throws (a lost connection, answered 503) when PostgreSQL cannot be reached. */
  async assertReachable(): Promise<void> {
    await this.sessions.query('SELECT 1');
  }

  // --- housekeeping (no state change of a live login) -------------------------------------------------

  /** Drops the user's unfinished logins whose time is up (when a new one starts). */
  async deleteExpiredPending(userId: number, now: Date): Promise<number> {
    const result = await this.sessions
      .createQueryBuilder()
      .delete()
      .where('user_id = :userId AND is_active = false', { userId })
      .andWhere(`status IN (${PENDING_SQL}) AND login_expires_at < :now`, { now })
      .execute();
    return result.affected ?? 0;
  }

  /** A QR login's newer token (same state): the session and the token shown are replaced. */
  /** Inside SessionTransitions' transaction; false when the login is no longer waiting for a scan. */
  async refreshQrToken(
    tx: EntityManager,
    userId: number,
    id: string,
    changes: { sessionData: EncryptedEnvelope; dcId: number; qrExpiresAt: Date },
  ): Promise<boolean> {
    const result = await tx.update(
      TelegramSessionEntity,
      { id, userId, status: 'qr_pending' },
      changes as Changes,
    );
    return (result.affected ?? 0) > 0;
  }

  // --- transitions (inside SessionTransitions' transaction) --------------------------------------------

  /** A code was sent: a new pending login, superseding this phone's unfinished ones. */
  async markCodeSent(
    tx: EntityManager,
    userId: number,
    login: CodeSentLogin,
  ): Promise<TelegramSessionEntity> {
    await tx
      .createQueryBuilder()
      .delete()
      .from(TelegramSessionEntity)
      .where('user_id = :userId AND phone = :phone AND is_active = false', { userId, phone: login.phone })
      .andWhere(`status IN (${PENDING_SQL})`)
      .execute();
    return this.insert(tx, {
      id: login.id,
      userId,
      phone: login.phone,
      isActive: false,
      sessionData: login.sessionData,
      status: 'code_sent',
      loginMethod: 'phone_code',
      dcId: login.dcId,
      codeViaApp: login.codeViaApp,
      loginExpiresAt: login.loginExpiresAt,
    });
  }

  /** The pending code was sent again (auth.resendCode): same login, new code state. */
  markCodeResent(
    tx: EntityManager,
    userId: number,
    id: string,
    changes: { sessionData: EncryptedEnvelope; dcId: number; codeViaApp: boolean },
  ): Promise<TelegramSessionEntity> {
    return this.transition(tx, userId, id, ['code_sent'], changes);
  }

  /** A QR login was started: a new pending row without a phone. */
  markQrPending(tx: EntityManager, userId: number, login: QrPendingLogin): Promise<TelegramSessionEntity> {
    return this.insert(tx, {
      id: login.id,
      userId,
      phone: null,
      isActive: false,
      sessionData: login.sessionData,
      status: 'qr_pending',
      loginMethod: 'qr',
      dcId: login.dcId,
      loginExpiresAt: login.loginExpiresAt,
      qrExpiresAt: login.qrExpiresAt,
    });
  }

  /** The code (or the QR scan) was accepted and Telegram asks for the 2FA password. */
  markPasswordNeeded(
    tx: EntityManager,
    userId: number,
    id: string,
    changes: { sessionData: EncryptedEnvelope; dcId: number },
  ): Promise<TelegramSessionEntity> {
    return this.transition(tx, userId, id, ['code_sent', 'qr_pending', '2fa_required'], {
      status: '2fa_required',
      sessionData: changes.sessionData,
      dcId: changes.dcId,
      qrExpiresAt: null,
    });
  }

  /** The login succeeded: the row becomes the account's one active session. */
  markConnected(
    tx: EntityManager,
    userId: number,
    row: TelegramSessionEntity,
    signedIn: SignedInSession,
    method: SessionLoginMethod,
    now = new Date(),
  ): Promise<TelegramSessionEntity> {
    return this.transition(tx, userId, row.id, PENDING_STATUSES, {
      status: 'connected',
      loginMethod: method,
      phone: signedIn.user.phone ? normalizePhone(signedIn.user.phone) : row.phone,
      isActive: true,
      sessionData: signedIn.sessionData,
      ...profileOf(signedIn.user),
      dcId: signedIn.dcId,
      connectedAt: now,
      lastConnectedAt: now,
      lastError: null,
      lastErrorAt: null,
      codeViaApp: null,
      loginExpiresAt: null,
      qrExpiresAt: null,
      disconnectedAt: null,
      revokedAt: null,
    });
  }

  /** Reconnect proved the stored session (the session string may have changed, e.g. a DC move). */
  markReconnected(
    tx: EntityManager,
    userId: number,
    row: TelegramSessionEntity,
    seen: { user: TelegramUserInfo; dcId: number; sessionData?: EncryptedEnvelope },
    now = new Date(),
  ): Promise<TelegramSessionEntity> {
    // From `error` too: the watchdog's "unreachable" (the secret is kept); a working reconnect ends it.
    return this.transition(tx, userId, row.id, ['connected', 'error'], {
      status: 'connected',
      phone: seen.user.phone ? normalizePhone(seen.user.phone) : row.phone,
      ...(seen.sessionData ? { sessionData: seen.sessionData } : {}),
      ...profileOf(seen.user),
      dcId: seen.dcId,
      lastConnectedAt: now,
      lastError: null,
    });
  }

  /** A step failed in a way that leaves the state as it is: the reason is noted. */
  noteError(
    tx: EntityManager,
    userId: number,
    id: string,
    reason: string,
    now = new Date(),
  ): Promise<TelegramSessionEntity> {
    return this.transition(tx, userId, id, SESSION_STATUSES, { lastError: reason, lastErrorAt: now });
  }

  /** A pending login ended (its code expired, its time ran out, Telegram forgot its key): wiped. */
  markLoginFailed(
    tx: EntityManager,
    userId: number,
    id: string,
    reason: string,
    now = new Date(),
  ): Promise<TelegramSessionEntity> {
    return this.transition(tx, userId, id, PENDING_STATUSES, {
      ...wipe(),
      status: 'error',
      lastError: reason,
      lastErrorAt: now,
    });
  }

  /** Telegram no longer knows the session (`revoked`), or its key was duplicated (`error`): wiped. */
  markRevoked(
    tx: EntityManager,
    userId: number,
    id: string,
    revocation: { reason: string; duplicated: boolean },
    now = new Date(),
  ): Promise<TelegramSessionEntity> {
    // From `error` too: a session the watchdog found unreachable may turn out revoked.
    return this.transition(tx, userId, id, ['connected', 'error'], {
      ...wipe(),
      status: revocation.duplicated ? 'error' : 'revoked',
      lastError: revocation.reason,
      lastErrorAt: now,
      ...(revocation.duplicated ? {} : { revokedAt: now }),
    });
  }

  /** Logged out (or a login cancelled): wiped; `reason` when Telegram had already signed it out. */
  markDisconnected(
    tx: EntityManager,
    userId: number,
    id: string,
    reason: string | undefined,
    now = new Date(),
  ): Promise<TelegramSessionEntity> {
    return this.transition(tx, userId, id, SESSION_STATUSES, {
      ...wipe(),
      status: 'disconnected',
      disconnectedAt: now,
      loginExpiresAt: null,
      qrExpiresAt: null,
      ...(reason ? { lastError: reason } : {}),
    });
  }

  /** Removes the user's other rows of this Telegram account (a new login replaces them) and returns them. */
  async removeOthersOfAccount(
    tx: EntityManager,
    userId: number,
    telegramUserId: string,
    keepId: string,
  ): Promise<ReplacedSession[]> {
    const rows = await tx
      .createQueryBuilder(TelegramSessionEntity, 's')
      .select(['s.id', 's.isActive', 's.sessionData'])
      .where('s.user_id = :userId AND s.telegram_user_id = :telegramUserId AND s.id <> :keepId', {
        userId,
        telegramUserId,
        keepId,
      })
      .setLock('pessimistic_write')
      .getMany();
    if (rows.length > 0) await tx.delete(TelegramSessionEntity, { userId, id: In(rows.map((r) => r.id)) });
    return rows.map((r) => ({ id: r.id, isActive: r.isActive, sessionData: r.sessionData }));
  }

  // ------------------------------------------------------------------------------------------------------

  private async insert(
    tx: EntityManager,
    fields: Partial<TelegramSessionEntity> & { id: string; userId: number },
  ): Promise<TelegramSessionEntity> {
    await tx.insert(TelegramSessionEntity, fields as Changes);
    return tx.findOneOrFail(TelegramSessionEntity, { where: { id: fields.id, userId: fields.userId } });
  }

  /** Applies `changes` when the user's row is in one of `from`; the row as stored now, in the transaction. */
  private async transition(
    tx: EntityManager,
    userId: number,
    id: string,
    from: readonly SessionStatus[],
    changes: Partial<TelegramSessionEntity>,
  ): Promise<TelegramSessionEntity> {
    const where: FindOptionsWhere<TelegramSessionEntity> = { id, userId, status: In([...from]) };
    const result = await tx.update(TelegramSessionEntity, where, changes as Changes);
    const row = await tx.findOne(TelegramSessionEntity, { where: { id, userId } });
    if ((result.affected ?? 0) === 0 || !row) {
      throw new SessionStateError(
        'session_changed',
        'This session changed while the request ran (another request ended or replaced it); read it again',
      );
    }
    return row;
  }
}

// JSONB columns are plain objects; TypeORM's deep-partial type cannot express their index signature.
type Changes = QueryDeepPartialEntity<TelegramSessionEntity>;

/** What every ending transition does to the secret: gone, and the row inactive. */
function wipe(): Partial<TelegramSessionEntity> {
  return { isActive: false, sessionData: WIPED_SESSION_DATA };
}
