import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, FindOptionsWhere, Repository } from 'typeorm';
import { TelegramMessageFileEntity } from './telegram-message-file.entity';
import { TelegramMessageSenderEntity } from './telegram-message-sender.entity';
import { OPEN_STATUSES, TelegramMessageEntity, type MessageStatus } from './telegram-message.entity';

export interface MessageFilter {
  status?: MessageStatus;
  channelRowId?: string;
  page: number;
  size: number;
}

/** TypeORM answers an UPDATE ... RETURNING as `[rows, affected]`. */
function updatedRows<T>(result: unknown): T[] {
  return Array.isArray(result) && Array.isArray(result[0]) && typeof result[1] === 'number'
    ? (result[0] as T[])
    : (result as T[]);
}

/** The lane order: by when a message may go (send_at, else queued_at), then queue order. */
const LANE_ORDER = `COALESCE(send_at, queued_at), queued_at, id`;
const OPEN = `status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Owner-scoped reads of telegram_messages for the API (every method taking an id also takes the
 * user id), and the queue's own lane/pacing queries (by message id from a job; never exposed).
 */
@Injectable()
export class MessagesRepository {
  constructor(
    @InjectRepository(TelegramMessageEntity) private readonly messages: Repository<TelegramMessageEntity>,
  ) {}

  findForUser(userId: number, id: string): Promise<TelegramMessageEntity | null> {
    return this.messages.findOne({ where: { id, userId } });
  }

  findByIdempotencyKey(
    tx: EntityManager,
    userId: number,
    key: string,
  ): Promise<TelegramMessageEntity | null> {
    return tx.findOne(TelegramMessageEntity, { where: { userId, idempotencyKey: key } });
  }

  /** Frees a key older than the window, so it can name a new message. */
  async releaseIdempotencyKey(tx: EntityManager, id: string): Promise<void> {
    await tx.update(TelegramMessageEntity, { id }, { idempotencyKey: null, requestHash: null });
  }

  page(userId: number, filter: MessageFilter): Promise<[TelegramMessageEntity[], number]> {
    const where: FindOptionsWhere<TelegramMessageEntity> = {
      userId,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.channelRowId ? { channelRowId: filter.channelRowId } : {}),
    };
    return this.messages.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (filter.page - 1) * filter.size,
      take: filter.size,
    });
  }

  /** Locks the message row (the queue's claim); undefined when it is gone. */
  async lockForQueue(tx: EntityManager, id: string): Promise<TelegramMessageEntity | undefined> {
    const row = await tx.findOne(TelegramMessageEntity, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
    return row ?? undefined;
  }

  /** Serialises every queue decision about one lane / one sender across replicas (until commit). */
  async lockKeys(tx: EntityManager, ...keys: string[]): Promise<void> {
    const sorted = [...keys].sort();
    // One round trip; the keys are taken in sorted order (no lock-order deadlocks).
    await tx.query(
      `SELECT ${sorted.map((_, i) => `pg_advisory_xact_lock(hashtextextended($${i + 1}, 11))`).join(', ')}`,
      sorted,
    );
  }

  /** Whether an open message of the lane comes before this one. */
  async hasEarlierOpen(tx: EntityManager, row: TelegramMessageEntity): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `SELECT 1 FROM telegram_messages
       WHERE lane = $1 AND ${OPEN} AND id <> $2
         AND (COALESCE(send_at, queued_at), queued_at, id) < (COALESCE($3::timestamptz, $4::timestamptz), $4::timestamptz, $2::uuid)
       LIMIT 1`,
      [row.lane, row.id, row.sendAt, row.queuedAt],
    );
    return rows.length > 0;
  }

  /** The id of the lane's first open message other than `exceptId`. */
  async nextOpen(tx: EntityManager, lane: string, exceptId: string): Promise<string | undefined> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id FROM telegram_messages WHERE lane = $1 AND ${OPEN} AND id <> $2 ORDER BY ${LANE_ORDER} LIMIT 1`,
      [lane, exceptId],
    );
    return rows[0]?.id;
  }

  async setJob(tx: EntityManager, id: string, jobId: string | null): Promise<void> {
    await tx.update(TelegramMessageEntity, { id }, { jobId });
  }

  /**
   * The `nth` most recent attempt (1 = latest) by this sender since `since`, optionally to one chat
   * and other than `exceptId`: what the pacing windows count.
   */
  async nthRecentAttempt(
    tx: EntityManager,
    query: { senderId: string; since: Date; nth: number; chatId?: string; exceptId: string },
  ): Promise<Date | undefined> {
    const rows: { attempted_at: Date }[] = await tx.query(
      `SELECT attempted_at FROM telegram_messages
       WHERE sender_id = $1 AND attempted_at > $2 AND id <> $3 ${query.chatId ? 'AND chat_id = $5' : ''}
       ORDER BY attempted_at DESC OFFSET $4 LIMIT 1`,
      [query.senderId, query.since, query.exceptId, query.nth - 1, ...(query.chatId ? [query.chatId] : [])],
    );
    return rows[0]?.attempted_at;
  }

  /** Writes the changes to the (locked) row and answers it as it now stands. */
  async update(
    tx: EntityManager,
    row: TelegramMessageEntity,
    changes: Partial<TelegramMessageEntity>,
  ): Promise<TelegramMessageEntity> {
    await tx.update(TelegramMessageEntity, { id: row.id }, changes as never);
    return Object.assign(new TelegramMessageEntity(), row, changes, { updatedAt: new Date() });
  }

  /** Open messages by status, all users (the queue-depth gauge). */
  countByStatus(): Promise<{ status: MessageStatus; count: number }[]> {
    return this.messages
      .query(`SELECT status, count(*)::int AS count FROM telegram_messages WHERE ${OPEN} GROUP BY status`)
      .then((rows: { status: MessageStatus; count: number }[]) => rows);
  }

  /** Messages `waiting` for one of `reasons` (parked until mended), by reason, all users. */
  async countParked(reasons: readonly string[]): Promise<Record<string, number>> {
    const rows: { reason: string; count: number }[] = await this.messages.query(
      `SELECT error_code AS reason, count(*)::int AS count FROM telegram_messages
       WHERE status = 'waiting' AND error_code = ANY($1::text[]) GROUP BY error_code`,
      [reasons],
    );
    return Object.fromEntries(rows.map((r) => [r.reason, r.count]));
  }

  /** Seconds since the oldest message not yet at an end was queued (0 when none is open). */
  oldestOpenAgeSeconds(): Promise<number> {
    return this.messages
      .query(
        `SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(queued_at)), 0)::float8 AS age FROM telegram_messages WHERE ${OPEN}`,
      )
      .then((rows: { age: number }[]) => Number(rows[0]?.age ?? 0));
  }

  async saveFile(tx: EntityManager, messageId: string, content: Buffer): Promise<void> {
    await tx.insert(TelegramMessageFileEntity, { messageId, content });
  }

  async fileOf(messageId: string): Promise<Buffer | undefined> {
    const row = await this.messages.manager.findOne(TelegramMessageFileEntity, { where: { messageId } });
    return row?.content;
  }

  async deleteFile(tx: EntityManager, messageId: string): Promise<void> {
    await tx.delete(TelegramMessageFileEntity, { messageId });
  }

  async pausedUntil(tx: EntityManager, senderId: string): Promise<Date | undefined> {
    const row = await tx.findOne(TelegramMessageSenderEntity, { where: { senderId } });
    return row?.pausedUntil ?? undefined;
  }

  /** Who sends for this sender now (undefined: nobody holds a live lease). */
  async leaseOf(tx: EntityManager, senderId: string): Promise<{ owner: string; until: Date } | undefined> {
    const row = await tx.findOne(TelegramMessageSenderEntity, { where: { senderId } });
    return row?.ownerId && row.leaseUntil ? { owner: row.ownerId, until: row.leaseUntil } : undefined;
  }

  async takeLease(tx: EntityManager, senderId: string, owner: string, until: Date): Promise<void> {
    await tx.query(
      `INSERT INTO telegram_message_senders (sender_id, owner_id, lease_until) VALUES ($1, $2, $3)
       ON CONFLICT (sender_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, lease_until = EXCLUDED.lease_until`,
      [senderId, owner, until],
    );
  }

  /**
   * Extends this process's live leases on `senderIds` by `ms` (fenced: a lease already run out or
   * taken by another process is not revived). Answers the senders still held.
   */
  async renewLeases(owner: string, senderIds: string[], ms: number): Promise<string[]> {
    const rows: { sender_id: string }[] = await this.messages.query(
      `UPDATE telegram_message_senders SET lease_until = now() + $3 * interval '1 millisecond'
       WHERE owner_id = $1 AND sender_id::text = ANY($2::text[]) AND lease_until > now()
       RETURNING sender_id::text AS sender_id`,
      [owner, senderIds, ms],
    );
    return updatedRows<{ sender_id: string }>(rows).map((r) => r.sender_id);
  }

  /** A stopping process gives its senders back at once. */
  async releaseLeases(owner: string): Promise<void> {
    await this.messages.query(
      `UPDATE telegram_message_senders SET lease_until = now() WHERE owner_id = $1 AND lease_until > now()`,
      [owner],
    );
  }

  async pauseSender(tx: EntityManager, senderId: string, until: Date, reason: string): Promise<void> {
    await tx.query(
      `INSERT INTO telegram_message_senders (sender_id, paused_until, pause_reason) VALUES ($1, $2, $3)
       ON CONFLICT (sender_id) DO UPDATE SET
         paused_until = GREATEST(COALESCE(telegram_message_senders.paused_until, EXCLUDED.paused_until), EXCLUDED.paused_until),
         pause_reason = EXCLUDED.pause_reason`,
      [senderId, until, reason],
    );
  }
}
