import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { SessionStateError } from '../telegram.errors';
import { normalizePhone } from './phone';
import type { SignedInSession } from './login-inputs';
import { TelegramSessionEntity } from './telegram-session.entity';

/**
 * The one write of a session import (session-import.service.ts): a new row, connected from the start,
 * `login_method = import`. Kept apart from AccountsRepository's login transitions, which all start from
 * a pending row.
 */
@Injectable()
export class ImportedSessionRows {
  /** Inserts the connected row, unless the user already has this Telegram account connected (409). */
  async insert(
    tx: EntityManager,
    userId: number,
    id: string,
    signedIn: SignedInSession,
  ): Promise<TelegramSessionEntity> {
    const { user } = signedIn;
    const existing = await tx.findOne(TelegramSessionEntity, {
      where: { userId, telegramUserId: user.id, isActive: true },
      lock: { mode: 'pessimistic_write' },
    });
    if (existing)
      throw new SessionStateError(
        'account_already_connected',
        'This Telegram account is already connected here',
      );
    const now = new Date();
    const row: Partial<TelegramSessionEntity> = {
      id,
      userId,
      phone: user.phone ? normalizePhone(user.phone) : null,
      isActive: true,
      sessionData: signedIn.sessionData,
      status: 'connected',
      loginMethod: 'import',
      telegramUserId: user.id,
      username: user.username,
      firstName: user.firstName,
      lastName: user.lastName,
      dcId: signedIn.dcId,
      connectedAt: now,
      lastConnectedAt: now,
    };
    await tx.insert(TelegramSessionEntity, row as QueryDeepPartialEntity<TelegramSessionEntity>);
    return tx.findOneOrFail(TelegramSessionEntity, { where: { id, userId } });
  }
}
