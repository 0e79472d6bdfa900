import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { EncryptedEnvelope } from '../accounts/telegram-session.entity';
import type { TelegramBotInfo } from '../gateway/telegram-session-handle';
import { BotNotFoundError } from './bots.errors';
import { TelegramBotEntity } from './telegram-bot.entity';

/** A wiped secret column (the columns are NOT NULL). */
export const WIPED: EncryptedEnvelope = {};

export interface NewBot {
  info: TelegramBotInfo;
  dcId: number;
  botToken: EncryptedEnvelope;
  botSession: EncryptedEnvelope;
  settings: Record<string, unknown>;
}

type Changes = QueryDeepPartialEntity<TelegramBotEntity>;
type BotChanges = Partial<TelegramBotEntity>;

/**
 * Owner-scoped access to telegram_bots: every method takes the user id, so no code path reaches
 * another user's bot by id. State changes take the transaction's EntityManager (BotTransitions runs
 * them with their audit row).
 */
@Injectable()
export class BotsRepository {
  constructor(@InjectRepository(TelegramBotEntity) private readonly bots: Repository<TelegramBotEntity>) {}

  listForUser(userId: number, activeOnly: boolean): Promise<TelegramBotEntity[]> {
    return this.bots.find({
      where: activeOnly ? { userId, isActive: true } : { userId },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  findForUser(userId: number, id: string, tx?: EntityManager): Promise<TelegramBotEntity | null> {
    const where = { id, userId };
    return tx ? tx.findOne(TelegramBotEntity, { where }) : this.bots.findOne({ where });
  }

  /** The user's active row of this Telegram bot, if any. */
  findActiveByTelegramId(userId: number, telegramBotId: string): Promise<TelegramBotEntity | null> {
    return this.bots.findOne({ where: { userId, telegramBotId, isActive: true } });
  }

  async insert(tx: EntityManager, userId: number, bot: NewBot): Promise<TelegramBotEntity> {
    const row = tx.create(TelegramBotEntity, {
      userId,
      botToken: bot.botToken,
      botSession: bot.botSession,
      username: bot.info.username.slice(0, 50),
      settings: bot.settings,
      isActive: true,
      telegramBotId: bot.info.id,
      firstName: bot.info.firstName?.slice(0, 255) ?? null,
      canJoinGroups: bot.info.canJoinGroups,
      canReadAllGroupMessages: bot.info.canReadAllGroupMessages,
      dcId: bot.dcId,
      status: 'active',
      lastError: null,
      lastCheckedAt: new Date(),
      revokedAt: null,
    });
    return tx.save(row);
  }

  updateSettings(tx: EntityManager, userId: number, id: string, settings: Record<string, unknown>) {
    return this.change(tx, userId, id, { settings });
  }

  markChecked(tx: EntityManager, userId: number, id: string, info: TelegramBotInfo) {
    return this.change(tx, userId, id, {
      username: info.username.slice(0, 50),
      firstName: info.firstName?.slice(0, 255) ?? null,
      canJoinGroups: info.canJoinGroups,
      canReadAllGroupMessages: info.canReadAllGroupMessages,
      lastError: null,
      lastCheckedAt: new Date(),
    });
  }

  /** Telegram no longer accepts the bot: inactive, reason kept, both secrets wiped. */
  markRevoked(tx: EntityManager, userId: number, id: string, reason: string) {
    const now = new Date();
    return this.change(tx, userId, id, {
      status: 'revoked',
      isActive: false,
      lastError: reason.slice(0, 100),
      lastCheckedAt: now,
      revokedAt: now,
      botToken: WIPED,
      botSession: WIPED,
    });
  }

  /** Removed by its owner: inactive, both secrets wiped (a revoked bot stays `revoked`). */
  markRemoved(tx: EntityManager, userId: number, row: TelegramBotEntity) {
    return this.change(tx, userId, row.id, {
      status: row.status === 'revoked' ? 'revoked' : 'removed',
      isActive: false,
      botToken: WIPED,
      botSession: WIPED,
    });
  }

  /** The bot reaches no chat any more (revoked or removed): its chat senders turn inactive. */
  async retireAsSender(tx: EntityManager, userId: number, id: string): Promise<void> {
    await tx.query(
      `UPDATE telegram_channel_senders SET is_active = FALSE
       WHERE user_id = $1 AND sender_type = 'bot' AND sender_id = $2 AND is_active`,
      [userId, id],
    );
  }

  private async change(
    tx: EntityManager,
    userId: number,
    id: string,
    changes: BotChanges,
  ): Promise<TelegramBotEntity> {
    const result = await tx.update(TelegramBotEntity, { id, userId }, changes as Changes);
    if (!result.affected) throw new BotNotFoundError();
    const row = await this.findForUser(userId, id, tx);
    if (!row) throw new BotNotFoundError();
    return row;
  }
}
