import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ILike, In, type EntityManager, type FindOptionsWhere, type Repository } from 'typeorm';
import type { TelegramChatInfo } from '../gateway/telegram-dialogs';
import { ChannelSenderEntity } from './channel-sender.entity';
import { TelegramChannelEntity, type ChannelType } from './telegram-channel.entity';

export interface SyncCounts {
  added: number;
  updated: number;
  deactivated: number;
  total: number;
}

export interface ChannelFilter {
  type?: ChannelType;
  activeOnly: boolean;
  search?: string;
  page: number;
  size: number;
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Owner-scoped access to telegram_channels and telegram_channel_senders: every method takes the
 * user id. The sync writes in bulk (unnest + ON CONFLICT): 1,500 chats are four statements.
 */
@Injectable()
export class ChannelsRepository {
  constructor(
    @InjectRepository(TelegramChannelEntity) private readonly channels: Repository<TelegramChannelEntity>,
    @InjectRepository(ChannelSenderEntity) private readonly senders: Repository<ChannelSenderEntity>,
  ) {}

  findForUser(userId: number, id: string, tx?: EntityManager): Promise<TelegramChannelEntity | null> {
    const where = { id, userId };
    return tx ? tx.findOne(TelegramChannelEntity, { where }) : this.channels.findOne({ where });
  }

  /** The user's active chat with this @username (case-insensitive) or Bot API id. */
  findByChat(
    userId: number,
    chat: { username: string } | { chatId: string },
  ): Promise<TelegramChannelEntity | null> {
    const where =
      'username' in chat
        ? { userId, isActive: true, username: ILike(escapeLike(chat.username)) }
        : { userId, isActive: true, channelId: chat.chatId };
    return this.channels.findOne({ where });
  }

  page(userId: number, filter: ChannelFilter): Promise<[TelegramChannelEntity[], number]> {
    const base: FindOptionsWhere<TelegramChannelEntity> = {
      userId,
      ...(filter.activeOnly ? { isActive: true } : {}),
      ...(filter.type ? { type: filter.type } : {}),
    };
    const pattern = filter.search ? `%${escapeLike(filter.search)}%` : undefined;
    const where = pattern
      ? [
          { ...base, title: ILike(pattern) },
          { ...base, username: ILike(pattern) },
        ]
      : base;
    return this.channels.findAndCount({
      where,
      order: { title: 'ASC', id: 'ASC' },
      skip: (filter.page - 1) * filter.size,
      take: filter.size,
    });
  }

  /** The senders of these chat rows (the caller's own rows only). */
  sendersOf(userId: number, channelRowIds: string[]): Promise<ChannelSenderEntity[]> {
    if (channelRowIds.length === 0) return Promise.resolve([]);
    return this.senders.find({
      where: { userId, channelRowId: In(channelRowIds) },
      order: { senderType: 'ASC', createdAt: 'ASC' },
    });
  }

  /**
   * Stores what one account sees: upserts its chats (one row per user and chat), records the
   * account as a sender of each, retires it from the chats it left, and deactivates the chats
   * that no active sender reaches any more.
   */
  async applySync(
    tx: EntityManager,
    userId: number,
    sessionId: string,
    chats: TelegramChatInfo[],
  ): Promise<SyncCounts> {
    const now = new Date();
    const upserted: { id: string; inserted: boolean }[] = chats.length
      ? await tx.query(
          `INSERT INTO telegram_channels
             (user_id, channel_id, title, type, members_count, username, access_hash, is_active, last_synced_at)
           SELECT $1, c.channel_id, c.title, c.type, c.members_count, c.username, c.access_hash, TRUE, $8
           FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[], $7::bigint[])
                AS c(channel_id, title, type, members_count, username, access_hash)
           ON CONFLICT (user_id, channel_id) DO UPDATE SET
             title = EXCLUDED.title,
             type = EXCLUDED.type,
             members_count = COALESCE(EXCLUDED.members_count, telegram_channels.members_count),
             username = EXCLUDED.username,
             access_hash = COALESCE(EXCLUDED.access_hash, telegram_channels.access_hash),
             is_active = TRUE,
             last_synced_at = EXCLUDED.last_synced_at
           RETURNING id::text AS id, (xmax = 0) AS inserted`,
          [
            userId,
            chats.map((c) => c.chatId),
            chats.map((c) => c.title.slice(0, 255)),
            chats.map((c) => c.kind),
            chats.map((c) => c.membersCount),
            chats.map((c) => c.username?.slice(0, 64) ?? null),
            chats.map((c) => c.accessHash),
            now,
          ],
        )
      : [];
    const rowIds = upserted.map((r) => r.id);
    if (rowIds.length) {
      await tx.query(
        `INSERT INTO telegram_channel_senders (user_id, channel_row_id, sender_type, sender_id, role, can_post, is_active)
         SELECT $1, s.row_id, 'account', $2, s.role, s.can_post, TRUE
         FROM unnest($3::uuid[], $4::text[], $5::bool[]) AS s(row_id, role, can_post)
         ON CONFLICT (channel_row_id, sender_type, sender_id) DO UPDATE SET
           role = EXCLUDED.role, can_post = EXCLUDED.can_post, is_active = TRUE`,
        [userId, sessionId, rowIds, chats.map((c) => c.role), chats.map((c) => c.canPost)],
      );
    }
    await tx.query(
      `UPDATE telegram_channel_senders SET is_active = FALSE
       WHERE user_id = $1 AND sender_type = 'account' AND sender_id = $2 AND is_active
         AND NOT (channel_row_id = ANY($3::uuid[]))`,
      [userId, sessionId, rowIds],
    );
    const [, deactivated] = (await tx.query(
      `UPDATE telegram_channels c SET is_active = FALSE
       WHERE c.user_id = $1 AND c.is_active
         AND EXISTS (SELECT 1 FROM telegram_channel_senders s
                     WHERE s.channel_row_id = c.id AND s.sender_type = 'account' AND s.sender_id = $2)
         AND NOT EXISTS (SELECT 1 FROM telegram_channel_senders s WHERE s.channel_row_id = c.id AND s.is_active)`,
      [userId, sessionId],
    )) as [unknown, number];
    const added = upserted.filter((r) => r.inserted).length;
    return { added, updated: upserted.length - added, deactivated, total: chats.length };
  }

  /**
   * Stores one chat a bot is in (POST /channels {bot_id, chat}): the chat row upserted (reactivated),
   * the bot recorded as its sender with its role. The access hash stays the accounts' (hashes are per user).
   */
  async upsertBotChat(
    tx: EntityManager,
    userId: number,
    botRowId: string,
    chat: TelegramChatInfo,
  ): Promise<{ row: TelegramChannelEntity; inserted: boolean }> {
    const [upserted] = (await tx.query(
      `INSERT INTO telegram_channels (user_id, channel_id, title, type, members_count, username, is_active, last_synced_at)
       VALUES ($1, $2, $3, $4, $5, $6, TRUE, now())
       ON CONFLICT (user_id, channel_id) DO UPDATE SET
         title = EXCLUDED.title, type = EXCLUDED.type,
         members_count = COALESCE(EXCLUDED.members_count, telegram_channels.members_count),
         username = EXCLUDED.username, is_active = TRUE, last_synced_at = EXCLUDED.last_synced_at
       RETURNING id::text AS id, (xmax = 0) AS inserted`,
      [
        userId,
        chat.chatId,
        chat.title.slice(0, 255),
        chat.kind,
        chat.membersCount,
        chat.username?.slice(0, 64) ?? null,
      ],
    )) as { id: string; inserted: boolean }[];
    await tx.query(
      `INSERT INTO telegram_channel_senders (user_id, channel_row_id, sender_type, sender_id, role, can_post, is_active)
       VALUES ($1, $2, 'bot', $3, $4, $5, TRUE)
       ON CONFLICT (channel_row_id, sender_type, sender_id) DO UPDATE SET
         role = EXCLUDED.role, can_post = EXCLUDED.can_post, is_active = TRUE`,
      [userId, upserted.id, botRowId, chat.role, chat.canPost],
    );
    const row = await this.findForUser(userId, upserted.id, tx);
    if (!row) throw new Error('the channel row vanished inside its transaction');
    return { row, inserted: upserted.inserted };
  }

  updateSettings(tx: EntityManager, userId: number, id: string, settings: Record<string, unknown>) {
    return this.change(tx, userId, id, { settings });
  }

  /** Soft delete: inactive, with its senders. */
  async deactivate(tx: EntityManager, userId: number, id: string): Promise<TelegramChannelEntity> {
    await tx.update(ChannelSenderEntity, { userId, channelRowId: id }, { isActive: false });
    return this.change(tx, userId, id, { isActive: false });
  }

  private async change(
    tx: EntityManager,
    userId: number,
    id: string,
    changes: Partial<Pick<TelegramChannelEntity, 'isActive' | 'settings'>>,
  ): Promise<TelegramChannelEntity> {
    await tx.update(TelegramChannelEntity, { id, userId }, changes as never);
    const row = await this.findForUser(userId, id, tx);
    if (!row) throw new Error('the channel row vanished inside its transaction');
    return row;
  }
}
