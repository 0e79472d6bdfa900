import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { EntityManager } from 'typeorm';
import { ChangeCommit, type Change } from '../../changes/change-commit';
import type { EventType } from '../../events/catalogue/event-types';
import type { EventDraft } from '../../events/outbox/outbox.service';
import type { AuditEntry } from '../../logs/audit-log.service';
import { MessageMetrics } from './message-metrics';
import { MessagesRepository } from './messages.repository';
import { SendPacing } from './send-pacing';
import { SendQueue } from './send-queue';
import { TelegramMessageEntity, type MessageStatus } from './telegram-message.entity';

export type NewMessage = Omit<
  TelegramMessageEntity,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'status'
  | 'attempts'
  | 'telegramMessageId'
  | 'errorCode'
  | 'errorMessage'
  | 'notBefore'
  | 'attemptedAt'
  | 'sentAt'
  | 'queuedAt'
  | 'jobId'
>;

export type Claim =
  | { kind: 'stale' }
  | { kind: 'parked' }
  | { kind: 'deferred'; until: Date }
  | { kind: 'send'; row: TelegramMessageEntity };

interface Problem {
  code: string;
  message: string;
}

/** Safe facts of a message for its audit rows: ids and counts, never the text or the file. */
function factsOf(row: TelegramMessageEntity): Record<string, unknown> {
  return {
    message_id: row.id,
    sender_type: row.senderType,
    sender_id: row.senderId,
    chat_id: row.chatId,
    ...(row.channelRowId ? { channel_id: row.channelRowId } : {}),
    status: row.status,
    attempts: row.attempts,
    ...(row.telegramMessageId ? { telegram_message_id: row.telegramMessageId } : {}),
    ...(row.media ? { media: row.media.kind } : {}),
  };
}

/**
 * The one place a message's state changes. Each change commits through ChangeCommit in one
 * transaction with its `send_message` audit row (pending when queued, success / error at the end)
 * and with the queue job it needs (pg-boss writes the job through the same transaction), so no state
 * is ever stored without its audit row or left without the job that moves it on, and with its
 * `telegram.message.*` outbox event. Only a lane's head holds a live job; the others are parked
 * until it ends. A COMMIT lost with PostgreSQL is resolved by the audit row (ChangeCommit's retry).
 */
@Injectable()
export class MessageTransitions {
  constructor(
    private readonly commit: ChangeCommit,
    private readonly repository: MessagesRepository,
    private readonly queue: SendQueue,
    private readonly pacing: SendPacing,
    private readonly metrics: MessageMetrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // Short: the live owner renews it while its client is open (SendWorker), so a dead one's runs out soon.
    this.leaseMs = config.telegram.leaseTtlMs;
  }

  readonly leaseMs: number;

  /** A new message (and its file): queued, `pending` audit row, a job unless an earlier message of its lane is open. */
  async queued(message: NewMessage, file?: Buffer): Promise<TelegramMessageEntity> {
    // The queue is started before the transaction opens: pg-boss's start needs connections of the
    // pool, and transactions waiting for it inside would hold them all (a burst of sends right after
    // boot then timed out on the pool: 503).
    await this.queue.start();
    const row = await this.commitChange(undefined, async (tx) => {
      await this.repository.lockKeys(tx, message.lane);
      const stored = await tx.save(tx.create(TelegramMessageEntity, { ...message, status: 'queued' }));
      if (file) await this.repository.saveFile(tx, stored.id, file);
      const jobId = (await this.repository.hasEarlierOpen(tx, stored))
        ? null
        : await this.queue.schedule(tx, stored.id, stored.sendAt);
      const done = jobId ? await this.repository.update(tx, stored, { jobId }) : stored;
      return {
        result: done,
        audit: [this.entry(done, 'pending')],
        events: [this.event(done, 'telegram.message.queued')],
      };
    });
    this.queue.wake();
    return row;
  }

  /**
   * A job for the message runs: under the lane and sender locks, decides whether it is the live job
   * of the lane's head and due now; if so the message turns `sending` (attempt counted, time noted
   * for pacing). Otherwise it is parked behind its lane's head or its job moved to when it is due.
   */
  async claim(messageId: string, jobId: string): Promise<Claim> {
    return this.commitChange(messageId, async (tx) => ({
      result: await this.decide(tx, messageId, jobId),
      audit: [],
    }));
  }

  private async decide(tx: EntityManager, messageId: string, jobId: string): Promise<Claim> {
    const peek = await tx.findOne(TelegramMessageEntity, { where: { id: messageId } });
    if (!peek || peek.jobId !== jobId || !isOpen(peek.status)) return { kind: 'stale' };
    await this.repository.lockKeys(tx, peek.lane, `sender:${peek.senderId}`);
    const row = await this.repository.lockForQueue(tx, messageId);
    if (!row || row.jobId !== jobId || !isOpen(row.status)) return { kind: 'stale' };
    if (await this.repository.hasEarlierOpen(tx, row)) {
      await this.repository.setJob(tx, row.id, null);
      return { kind: 'parked' };
    }
    const now = new Date();
    const due = await this.pacing.dueAt(tx, row, now);
    if (due && due.getTime() > now.getTime() + 5) {
      await this.repository.setJob(tx, row.id, await this.queue.schedule(tx, row.id, due));
      return { kind: 'deferred', until: due };
    }
    // One process at a time sends for a sender (its GramJS client is parked there between messages).
    const lease = await this.repository.leaseOf(tx, row.senderId);
    if (lease && lease.owner !== this.queue.instanceId && lease.until > now) {
      const retryAt = new Date(Math.min(lease.until.getTime(), now.getTime() + 250));
      await this.repository.setJob(tx, row.id, await this.queue.schedule(tx, row.id, retryAt));
      return { kind: 'deferred', until: retryAt };
    }
    await this.repository.takeLease(
      tx,
      row.senderId,
      this.queue.instanceId,
      new Date(now.getTime() + this.leaseMs),
    );
    const sending = await this.repository.update(tx, row, {
      status: 'sending',
      attempts: row.attempts + 1,
      attemptedAt: now,
    });
    return { kind: 'send', row: sending };
  }

  /** Telegram accepted it (or RANDOM_ID_DUPLICATE: an earlier attempt did): `sent`, file removed, next of the lane woken. */
  sent(row: TelegramMessageEntity, telegramMessageId: string | null, duplicate: boolean) {
    return this.end(
      row,
      'sent',
      {
        status: 'sent',
        telegramMessageId,
        sentAt: new Date(),
        errorCode: null,
        errorMessage: null,
        notBefore: null,
        jobId: null,
      },
      duplicate ? { duplicate_random_id: true } : {},
    );
  }

  /** Telegram refused it for good (or the sender is gone): `failed` with the reason; optionally the sender rests. */
  failed(row: TelegramMessageEntity, problem: Problem, pause?: { until: Date; reason: string }) {
    return this.end(
      row,
      'failed',
      {
        status: 'failed',
        errorCode: problem.code,
        errorMessage: problem.message,
        notBefore: null,
        jobId: null,
      },
      {},
      pause,
    );
  }

  /** FLOOD_WAIT / SLOWMODE_WAIT: `waiting` until then (not a counted attempt); a flood wait rests the whole sender. */
  async waiting(row: TelegramMessageEntity, problem: Problem, until: Date, pauseSender: boolean) {
    return this.commitChange(row.id, async (tx) => {
      const recorded = await this.alreadyRecorded(tx, row);
      if (recorded) return { result: recorded, audit: [] };
      if (pauseSender) await this.repository.pauseSender(tx, row.senderId, until, problem.code);
      const updated = await this.repository.update(tx, row, {
        status: 'waiting',
        attempts: Math.max(0, row.attempts - 1),
        errorCode: problem.code,
        errorMessage: problem.message,
        notBefore: until,
        jobId: await this.queue.schedule(tx, row.id, until),
      });
      const event = this.event(updated, 'telegram.message.waiting', { not_before: until.toISOString() });
      return { result: updated, audit: [], events: [event] };
    });
  }

  /** A transient failure: `queued` again after the backoff, the error noted. */
  async retrying(row: TelegramMessageEntity, problem: Problem, until: Date) {
    return this.commitChange(row.id, async (tx) => ({
      result:
        (await this.alreadyRecorded(tx, row)) ??
        (await this.repository.update(tx, row, {
          status: 'queued',
          errorCode: problem.code,
          errorMessage: problem.message,
          notBefore: until,
          jobId: await this.queue.schedule(tx, row.id, until),
        })),
      audit: [],
    }));
  }

  /** DELETE before it was sent: `cancelled`, file removed, next of the lane woken. Undefined when no longer cancellable. */
  async cancelled(userId: number, id: string): Promise<TelegramMessageEntity | undefined> {
    const peek = await this.repository.findForUser(userId, id);
    if (!peek) return undefined;
    await this.queue.start(); // before the transaction, as in queued()
    const result = await this.commitChange(
      id,
      async (tx): Promise<Change<TelegramMessageEntity | undefined>> => {
        await this.repository.lockKeys(tx, peek.lane, `sender:${peek.senderId}`);
        const row = await this.repository.lockForQueue(tx, id);
        if (!row || row.userId !== userId || (row.status !== 'queued' && row.status !== 'waiting')) {
          return { result: undefined, audit: [] };
        }
        const cancelled = await this.repository.update(tx, row, {
          status: 'cancelled',
          jobId: null,
          notBefore: null,
        });
        await this.repository.deleteFile(tx, id);
        await this.wakeNext(tx, cancelled);
        return {
          result: cancelled,
          audit: [{ userId, action: 'cancel_message', status: 'success', details: factsOf(cancelled) }],
          events: [this.event(cancelled, 'telegram.message.cancelled')],
        };
      },
    );
    if (result) {
      this.metrics.ended('cancelled', result.senderType);
      this.queue.wake();
    }
    return result;
  }

  private async end(
    row: TelegramMessageEntity,
    result: 'sent' | 'failed',
    changes: Partial<TelegramMessageEntity> & { status: MessageStatus },
    extra: Record<string, unknown>,
    pause?: { until: Date; reason: string },
  ): Promise<TelegramMessageEntity> {
    let changed = true;
    const stored = await this.commitChange(row.id, async (tx) => {
      // Under the lane lock, so a message queued meanwhile is either seen here or sees this end.
      await this.repository.lockKeys(tx, row.lane);
      const recorded = await this.alreadyRecorded(tx, row);
      if (recorded) {
        changed = false;
        return { result: recorded, audit: [] };
      }
      if (pause) await this.repository.pauseSender(tx, row.senderId, pause.until, pause.reason);
      const updated = await this.repository.update(tx, row, changes);
      await this.repository.deleteFile(tx, row.id);
      await this.wakeNext(tx, updated);
      return {
        result: updated,
        audit: [this.entry(updated, result === 'sent' ? 'success' : 'error', extra)],
        events: [
          this.event(updated, result === 'sent' ? 'telegram.message.sent' : 'telegram.message.failed'),
        ],
      };
    });
    if (changed) this.metrics.ended(result, stored.senderType, stored.queuedAt);
    this.queue.wake();
    return stored;
  }

  /**
   * The row as stored when this attempt's outcome is already recorded: no longer `sending` under the
   * attempt's job (an earlier try of the same outcome committed though its answer was lost, or the
   * job was taken over). The worker records an outcome again until it commits; this makes that safe.
   */
  private async alreadyRecorded(
    tx: EntityManager,
    row: TelegramMessageEntity,
  ): Promise<TelegramMessageEntity | undefined> {
    const current = await this.repository.lockForQueue(tx, row.id);
    if (!current) throw new Error(`message ${row.id} is gone`);
    return current.status === 'sending' && current.jobId === row.jobId ? undefined : current;
  }

  /** The lane's next open message gets a fresh job (its claim works out when it is due). */
  private async wakeNext(tx: EntityManager, row: TelegramMessageEntity): Promise<void> {
    const next = await this.repository.nextOpen(tx, row.lane, row.id);
    if (next) await this.repository.setJob(tx, next, await this.queue.schedule(tx, next, null));
  }

  /** The change's event, for its transaction: ids, status and reason code — never the text or the file. */
  private event(
    row: TelegramMessageEntity,
    type: EventType,
    extra: Record<string, unknown> = {},
  ): EventDraft {
    return {
      type,
      subject: `messages/${row.id}`,
      userId: row.userId,
      data: {
        message_id: row.id,
        status: row.status,
        channel_row_id: row.channelRowId ?? null,
        reason: row.errorCode ?? null,
        ...extra,
      },
    };
  }

  private entry(
    row: TelegramMessageEntity,
    status: AuditEntry['status'],
    extra: Record<string, unknown> = {},
  ): AuditEntry {
    return {
      userId: row.userId,
      action: 'send_message',
      status,
      details: { ...factsOf(row), ...extra, ...(row.errorCode ? { reason: row.errorCode } : {}) },
      ...(status === 'error' ? { errorMessage: row.errorMessage } : {}),
    };
  }

  /** Every change of a message, with its audit row and event where it has them: ChangeCommit. */
  private async commitChange<T>(
    messageId: string | undefined,
    change: (tx: EntityManager) => Promise<Change<T>>,
  ): Promise<T> {
    return (await this.commit.apply({ change: 'message', message_id: messageId }, change)).result;
  }
}

const isOpen = (status: MessageStatus): boolean =>
  status === 'queued' || status === 'waiting' || status === 'sending';
