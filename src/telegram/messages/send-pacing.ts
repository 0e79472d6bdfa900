import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MessagesRepository } from './messages.repository';
import type { TelegramMessageEntity } from './telegram-message.entity';

const later = (a: Date | undefined, b: Date | undefined): Date | undefined =>
  !a ? b : !b ? a : a > b ? a : b;

/**
 * When a lane's head may be tried, counted from what PostgreSQL holds (so every replica agrees):
 * its `send_at` and `not_before`, the sender's pause, and — with SEND_PACING_ENABLED — one message
 * per SEND_PER_CHAT_INTERVAL_MS per sender and chat, and for bots SEND_BOT_PER_SECOND overall and
 * SEND_BOT_PER_GROUP_PER_MINUTE per group (Telegram's bot FAQ). Called under the lane and sender locks.
 */
@Injectable()
export class SendPacing {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: MessagesRepository,
  ) {}

  async dueAt(tx: EntityManager, row: TelegramMessageEntity, now: Date): Promise<Date | undefined> {
    let due = later(row.sendAt ?? undefined, row.notBefore ?? undefined);
    due = later(due, await this.repository.pausedUntil(tx, row.senderId));
    if (!this.config.send.pacing) return due;
    const { perChatIntervalMs, botPerSecond, botPerGroupPerMinute } = this.config.send;
    if (perChatIntervalMs > 0) {
      const last = await this.repository.nthRecentAttempt(tx, {
        senderId: row.senderId,
        chatId: row.chatId,
        since: new Date(now.getTime() - perChatIntervalMs),
        nth: 1,
        exceptId: row.id,
      });
      if (last) due = later(due, new Date(last.getTime() + perChatIntervalMs));
    }
    if (row.senderType === 'bot') {
      const second = await this.repository.nthRecentAttempt(tx, {
        senderId: row.senderId,
        since: new Date(now.getTime() - 1000),
        nth: botPerSecond,
        exceptId: row.id,
      });
      if (second) due = later(due, new Date(second.getTime() + 1000));
      if (row.peer.chatType === 'group' || row.peer.chatType === 'supergroup') {
        const minute = await this.repository.nthRecentAttempt(tx, {
          senderId: row.senderId,
          chatId: row.chatId,
          since: new Date(now.getTime() - 60_000),
          nth: botPerGroupPerMinute,
          exceptId: row.id,
        });
        if (minute) due = later(due, new Date(minute.getTime() + 60_000));
      }
    }
    return due;
  }
}
