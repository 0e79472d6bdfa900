import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { SessionTransitions } from '../accounts/session-transitions';
import { TelegramSessionEntity, type SessionStatus } from '../accounts/telegram-session.entity';
import { SessionStateError } from '../telegram.errors';

/** Where the reason of a session the watchdog found unreachable starts (`last_error`). */
export const UNREACHABLE_PREFIX = 'unreachable:';

async function change(
  tx: EntityManager,
  row: TelegramSessionEntity,
  from: SessionStatus,
  changes: QueryDeepPartialEntity<TelegramSessionEntity>,
): Promise<TelegramSessionEntity> {
  const where = { id: row.id, userId: row.userId, status: In([from]), isActive: true };
  const result = await tx.update(TelegramSessionEntity, where, changes);
  const stored = await tx.findOne(TelegramSessionEntity, { where: { id: row.id, userId: row.userId } });
  if ((result.affected ?? 0) === 0 || !stored) {
    throw new SessionStateError('session_changed', 'This session changed while the watchdog checked it');
  }
  return stored;
}

/**
 * The watchdog's own two transitions, each with its integration_logs row through SessionTransitions
 * (same transaction, same fencing): a connected session Telegram did not answer
 * TELEGRAM_WATCHDOG_FAILURES times in a row turns `error` — still active, its secret kept, the reason
 * in `last_error` — and turns `connected` again at the first check that works.
 */
@Injectable()
export class WatchdogTransitions {
  constructor(private readonly transitions: SessionTransitions) {}

  unreachable(row: TelegramSessionEntity, error: unknown, reason: string): Promise<TelegramSessionEntity> {
    const facts = { session_id: row.id, phone: row.phone, dc_id: row.dcId };
    return this.transitions.apply(
      { kind: 'error_noted', reason: `${UNREACHABLE_PREFIX}${reason}`.slice(0, 100) },
      row.userId,
      row.id,
      (tx) =>
        change(tx, row, 'connected', {
          status: 'error',
          lastError: `${UNREACHABLE_PREFIX}${reason}`.slice(0, 100),
          lastErrorAt: new Date(),
        }),
      () => [this.transitions.failure(row.userId, 'watchdog_check', error, facts)],
    );
  }

  recovered(row: TelegramSessionEntity): Promise<TelegramSessionEntity> {
    return this.transitions.apply(
      { kind: 'reconnected' },
      row.userId,
      row.id,
      (tx) => change(tx, row, 'error', { status: 'connected', lastError: null, lastConnectedAt: new Date() }),
      (stored) => [
        this.transitions.step(row.userId, 'watchdog_check', 'success', {
          session_id: stored.id,
          phone: stored.phone,
          dc_id: stored.dcId,
          outcome: 'recovered',
        }),
      ],
    );
  }
}
