import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  PENDING_STATUSES,
  TelegramSessionEntity,
  type EncryptedEnvelope,
  type SessionMetadata,
  type SessionStatus,
} from './telegram-session.entity';

export interface NewSession {
  phone: string | null;
  sessionData: EncryptedEnvelope;
  sessionMetadata: SessionMetadata;
  isActive: boolean;
}

export type SessionChanges = Partial<NewSession>;

interface ListedSessionRow {
  id: string;
  created_at: Date;
  updated_at: Date;
  user_id: number;
  phone: string | null;
  session_metadata: SessionMetadata;
  is_active: boolean;
}

/** The ciphertext is replaced by this once a session ends (the column is NOT NULL). */
export const WIPED_SESSION_DATA: EncryptedEnvelope = {};

/**
 * Owner-scoped access to telegram_sessions: every method that reads or writes rows takes the user id,
 * so no code path can reach another user's session by id. (`countByStatus` returns counts only.)
 */
@Injectable()
export class AccountsRepository {
  constructor(
    @InjectRepository(TelegramSessionEntity) private readonly sessions: Repository<TelegramSessionEntity>,
  ) {}

  /**
   * The list route's query, written as SQL with explicit mapping: TypeORM's find() spends about
   * 0.3 ms per request building the query and hydrating 20 entities (npm run bench). Never selects
   * session_data.
   */
  async listForUser(userId: number, activeOnly: boolean): Promise<TelegramSessionEntity[]> {
    const rows: ListedSessionRow[] = await this.sessions.query(
      `SELECT id, created_at, updated_at, user_id, phone, session_metadata, is_active
       FROM telegram_sessions
       WHERE user_id = $1 ${activeOnly ? 'AND is_active' : ''}
       ORDER BY created_at DESC, id DESC`,
      [userId],
    );
    return rows.map((row) =>
      Object.assign(new TelegramSessionEntity(), {
        id: row.id,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        userId: row.user_id,
        phone: row.phone,
        sessionMetadata: row.session_metadata,
        isActive: row.is_active,
      }),
    );
  }

  /** The user's row with this id (session data included), or null — also for another user's id. */
  findForUser(userId: number, id: string): Promise<TelegramSessionEntity | null> {
    return this.sessions.findOne({ where: { id, userId } });
  }

  /** The user's newest login in one of `statuses` for this phone. */
  findNewestPending(
    userId: number,
    phone: string,
    statuses: readonly SessionStatus[],
  ): Promise<TelegramSessionEntity | null> {
    return this.sessions
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.phone = :phone AND s.is_active = false', { userId, phone })
      .andWhere(`s.session_metadata->>'status' IN (:...statuses)`, { statuses })
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
      .andWhere(`s.session_metadata->>'status' = '2fa_required'`)
      .andWhere(`s.session_metadata->>'method' = 'qr'`)
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getOne();
  }

  /** The user's other rows of the same Telegram account (a new login replaces them). */
  findOthersOfAccount(
    userId: number,
    telegramUserId: string,
    exceptId: string,
  ): Promise<TelegramSessionEntity[]> {
    return this.sessions
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.id <> :exceptId', { userId, exceptId })
      .andWhere(`s.session_metadata->>'telegram_user_id' = :telegramUserId`, { telegramUserId })
      .getMany();
  }

  async create(userId: number, fields: NewSession): Promise<TelegramSessionEntity> {
    const entity = this.sessions.create({ userId, ...fields });
    return this.sessions.save(entity);
  }

  /** Updates the user's row; false when there is no such row for this user. */
  async update(userId: number, id: string, changes: SessionChanges): Promise<boolean> {
    // JSONB columns are plain objects; TypeORM's deep-partial type cannot express their index signature.
    const result = await this.sessions.update(
      { id, userId },
      changes as QueryDeepPartialEntity<TelegramSessionEntity>,
    );
    return (result.affected ?? 0) > 0;
  }

  async delete(userId: number, id: string): Promise<void> {
    await this.sessions.delete({ id, userId });
  }

  /** Drops the user's unfinished logins for this phone (a new code supersedes them). */
  async deletePendingForPhone(userId: number, phone: string): Promise<number> {
    const result = await this.sessions
      .createQueryBuilder()
      .delete()
      .where('user_id = :userId AND phone = :phone AND is_active = false', { userId, phone })
      .andWhere(`session_metadata->>'status' IN (:...statuses)`, { statuses: PENDING_STATUSES })
      .execute();
    return result.affected ?? 0;
  }

  /** Drops the user's unfinished logins whose time is up (housekeeping when a new one starts). */
  async deleteExpiredPending(userId: number, now: Date): Promise<number> {
    const result = await this.sessions
      .createQueryBuilder()
      .delete()
      .where('user_id = :userId AND is_active = false', { userId })
      .andWhere(`session_metadata->>'status' IN (:...statuses)`, { statuses: PENDING_STATUSES })
      .andWhere(`(session_metadata->>'login_expires_at')::timestamptz < :now`, { now })
      .execute();
    return result.affected ?? 0;
  }

  /** Sessions per status across all users: counts only, for the `telegram_sessions` gauge. */
  async countByStatus(): Promise<{ status: string; count: number }[]> {
    const rows = await this.sessions
      .createQueryBuilder('s')
      .select(`COALESCE(s.session_metadata->>'status', 'unknown')`, 'status')
      .addSelect('COUNT(*)::int', 'count')
      .groupBy('1')
      .getRawMany<{ status: string; count: number }>();
    return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
  }
}
