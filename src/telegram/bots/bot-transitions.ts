import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ChangeCommit } from '../../changes/change-commit';
import { AppError } from '../../common/errors/app-error';
import type { EventType } from '../../events/catalogue/event-types';
import type { EventDraft } from '../../events/outbox/outbox.service';
import { AuditLogService, type AuditEntry } from '../../logs/audit-log.service';
import { failureEntry, withoutEmpty } from '../../logs/failure-entry';
import type { TelegramBotInfo } from '../gateway/telegram-session-handle';
import { SessionLeases } from '../leases/session-leases';
import { BotAlreadyAddedError } from './bots.errors';
import { BotsRepository, type NewBot } from './bots.repository';
import type { TelegramBotEntity } from './telegram-bot.entity';
import { isUniqueViolation } from '../../database/pg-errors';

export type BotAction = 'bot_add' | 'bot_update' | 'bot_check' | 'bot_remove';

/** Safe facts of a bot: ids, username, DC — never the token or the session. */
function factsOf(row: Pick<TelegramBotEntity, 'id' | 'telegramBotId' | 'username' | 'dcId'>) {
  return { bot_id: row.id, telegram_bot_id: row.telegramBotId, username: row.username, dc_id: row.dcId };
}

/**
 * The one place a bot's state changes: each change commits through ChangeCommit together with its
 * integration_logs row and its event, so a change is never stored without them (and a COMMIT lost
 * with PostgreSQL is retried without applying the change twice).
 */
@Injectable()
export class BotTransitions {
  constructor(
    private readonly commit: ChangeCommit,
    private readonly bots: BotsRepository,
    private readonly audit: AuditLogService,
    private readonly leases: SessionLeases,
  ) {}

  async added(userId: number, bot: NewBot): Promise<TelegramBotEntity> {
    try {
      return await this.apply(
        (tx) => this.bots.insert(tx, userId, bot),
        (row) => this.entry(userId, 'bot_add', 'success', factsOf(row)),
        (row) => botEvent(userId, 'telegram.bot.added', row),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new BotAlreadyAddedError();
      throw error;
    }
  }

  settingsUpdated(userId: number, id: string, settings: Record<string, unknown>) {
    return this.apply(
      (tx) => this.bots.updateSettings(tx, userId, id, settings),
      (row) =>
        this.entry(userId, 'bot_update', 'success', {
          ...factsOf(row),
          settings_keys: Object.keys(settings).length,
        }),
    );
  }

  checked(userId: number, id: string, info: TelegramBotInfo) {
    return this.apply(
      (tx) => this.bots.markChecked(tx, userId, id, info),
      (row) => this.entry(userId, 'bot_check', 'success', factsOf(row)),
    );
  }

  revoked(userId: number, row: TelegramBotEntity, reason: string, error: AppError) {
    return this.apply(
      async (tx) => {
        await this.bots.retireAsSender(tx, userId, row.id);
        return this.bots.markRevoked(tx, userId, row.id, reason);
      },
      (stored) => this.failureEntry(userId, 'bot_check', error, { ...factsOf(stored), outcome: 'revoked' }),
      (stored) => botEvent(userId, 'telegram.bot.revoked', stored, reason),
    );
  }

  removed(userId: number, row: TelegramBotEntity, outcome: { loggedOut: boolean; reason?: string }) {
    return this.apply(
      async (tx) => {
        await this.bots.retireAsSender(tx, userId, row.id);
        return this.bots.markRemoved(tx, userId, row);
      },
      (stored) =>
        this.entry(userId, 'bot_remove', 'success', {
          ...factsOf(stored),
          logged_out: outcome.loggedOut,
          ...(outcome.reason ? { reason: outcome.reason } : {}),
        }),
      (stored) => botEvent(userId, 'telegram.bot.removed', stored, outcome.reason),
    );
  }

  /** A step that failed without changing any state: its audit row only (never throws). */
  failed(userId: number, action: BotAction, error: unknown, facts: Record<string, unknown>): Promise<void> {
    return this.audit.record(this.failureEntry(userId, action, error, facts));
  }

  private entry(
    userId: number,
    action: BotAction,
    status: 'success',
    facts: Record<string, unknown>,
  ): AuditEntry {
    return { userId, action, status, details: withoutEmpty(facts) };
  }

  /** The failure's audit entry, with Telegram's own reason (`telegram_reason`) when the error carries one. */
  private failureEntry(
    userId: number,
    action: BotAction,
    error: unknown,
    facts: Record<string, unknown>,
  ): AuditEntry {
    const reason = error instanceof AppError ? error.details.reason : undefined;
    return failureEntry(userId, action, error, {
      ...withoutEmpty(facts),
      ...(typeof reason === 'string' ? { telegram_reason: reason } : {}),
    });
  }

  private async apply(
    change: (tx: EntityManager) => Promise<TelegramBotEntity>,
    record: (row: TelegramBotEntity) => AuditEntry,
    event?: (row: TelegramBotEntity) => EventDraft,
  ): Promise<TelegramBotEntity> {
    const { result } = await this.commit.apply({ change: 'bot' }, async (tx) => {
      const stored = await change(tx);
      // Fenced like a session's state (SessionLeases.assertFence); in the same transaction, so the
      // change above commits only if this replica may still write the bot.
      await this.leases.assertFence(tx, stored.id);
      return { result: stored, audit: [record(stored)], events: event ? [event(stored)] : [] };
    });
    return result;
  }
}

/** A bot's event: ids and username only, never the token. */
function botEvent(userId: number, type: EventType, row: TelegramBotEntity, reason?: string): EventDraft {
  return {
    type,
    subject: `bots/${row.id}`,
    userId,
    data: { ...factsOf(row), reason: reason ?? null },
  };
}
