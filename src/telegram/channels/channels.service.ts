import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/app-error';
import { BotInactiveError, BotNotFoundError } from '../bots/bots.errors';
import { TelegramGateway, type SessionRef } from '../gateway/telegram-gateway';
import { SenderDirectory, type SenderType } from '../senders/sender-directory';
import { SessionStateError } from '../telegram.errors';
import type { AddBotChatDto } from './bot-chat.dto';
import { ChannelTransitions } from './channel-transitions';
import { ChannelPageDto, ChannelResponseDto, SyncResultDto, type ListChannelsQueryDto } from './channels.dto';
import { ChannelsRepository } from './channels.repository';
import type { TelegramChannelEntity } from './telegram-channel.entity';

class ChannelNotFoundError extends NotFoundError {
  constructor() {
    super('No such channel or group');
  }
}

/** The caller's channels and groups: synced from an account's dialogs, listed, updated, removed. */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly senders: SenderDirectory,
    private readonly gateway: TelegramGateway,
    private readonly transitions: ChannelTransitions,
  ) {}

  /**
   * Reads every dialog page of the connected account (and channels.getFullChannel where a count is
   * missing), then stores the result in one transaction. Telegram failing midway (FLOOD_WAIT → 429)
   * writes nothing but the audit row of the failure.
   */
  async sync(userId: number, sessionId: string): Promise<SyncResultDto> {
    const account = await this.openSender('account', userId, sessionId, {
      notFound: () => new NotFoundError('No such Telegram account'),
      inactive: () =>
        new SessionStateError('session_inactive', 'This account is not connected; log in or reconnect first'),
    });
    const started = Date.now();
    let run;
    try {
      run = await this.gateway.run(account, { keepAlive: true }, (tg) => tg.listChats());
    } catch (error) {
      await this.transitions.failed(userId, 'channels_sync', error, { session_id: account.key });
      throw error;
    }
    const { chats, calls } = run.value;
    return this.transitions.synced(userId, account.key, chats, { calls, duration_ms: Date.now() - started });
  }

  /**
   * A bot cannot list its dialogs: it looks up the one chat named (contacts.resolveUsername or
   * channels.getChannels / messages.getChats) and proves it is there (channels.getParticipant for
   * itself); the chat is stored with the bot as a sender, its role and whether it may post.
   */
  async addThroughBot(userId: number, dto: AddBotChatDto): Promise<ChannelResponseDto> {
    const bot = await this.openSender('bot', userId, dto.bot_id, {
      notFound: () => new BotNotFoundError(),
      inactive: () => new BotInactiveError(),
    });
    let run;
    try {
      run = await this.gateway.run(bot, { keepAlive: false }, (tg) => tg.botChat(dto.chat));
    } catch (error) {
      await this.transitions.failed(userId, 'channel_add', error, { bot_id: bot.key });
      throw error;
    }
    return this.respond(userId, await this.transitions.botChatAdded(userId, bot.key, run.value));
  }

  async list(userId: number, query: ListChannelsQueryDto): Promise<ChannelPageDto> {
    const page = query.page ?? 1;
    const size = query.size ?? 20;
    const [rows, total] = await this.channels.page(userId, {
      type: query.type,
      activeOnly: query.active_only ?? true,
      search: query.search,
      page,
      size,
    });
    const senders = await this.channels.sendersOf(
      userId,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((row) => ChannelResponseDto.from(row, senders)),
      total,
      page,
      size,
      pages: Math.ceil(total / size),
    };
  }

  async get(userId: number, id: string): Promise<ChannelResponseDto> {
    return this.respond(userId, await this.owned(userId, id));
  }

  async updateSettings(
    userId: number,
    id: string,
    settings: Record<string, unknown>,
  ): Promise<ChannelResponseDto> {
    await this.owned(userId, id);
    return this.respond(userId, await this.transitions.settingsUpdated(userId, id, settings));
  }

  /** Soft delete: inactive with its senders (a later sync that sees the chat again reactivates it). */
  async remove(userId: number, id: string): Promise<ChannelResponseDto> {
    await this.owned(userId, id);
    return this.respond(userId, await this.transitions.removed(userId, id));
  }

  private async respond(userId: number, row: TelegramChannelEntity): Promise<ChannelResponseDto> {
    return ChannelResponseDto.from(row, await this.channels.sendersOf(userId, [row.id]));
  }

  private async owned(userId: number, id: string): Promise<TelegramChannelEntity> {
    const row = await this.channels.findForUser(userId, id);
    if (!row) throw new ChannelNotFoundError();
    return row;
  }

  /** The user's account or bot, opened for a gateway run; refused with the caller's errors when unknown or unable. */
  private async openSender(
    type: SenderType,
    userId: number,
    senderId: string,
    refusals: { notFound: () => Error; inactive: () => Error },
  ): Promise<SessionRef> {
    const source = this.senders.of(type);
    const standing = await source.standing(userId, senderId);
    if (standing === 'not_found') throw refusals.notFound();
    if (standing === 'inactive') throw refusals.inactive();
    const ref = await source.open(userId, senderId);
    if (!ref) throw refusals.inactive();
    return ref;
  }
}
