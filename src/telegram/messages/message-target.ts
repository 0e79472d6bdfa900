import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '../../common/errors/app-error';
import { ChannelsRepository } from '../channels/channels.repository';
import type { TelegramChannelEntity } from '../channels/telegram-channel.entity';
import { SenderDirectory, type SenderType } from '../senders/sender-directory';
import type { SendMessageDto } from './messages.dto';
import {
  ChatNotFoundError,
  SenderCannotPostError,
  SenderInactiveError,
  SenderNotFoundError,
} from './messages.errors';
import type { MessagePeer } from './telegram-message.entity';

export interface ResolvedSend {
  senderType: SenderType;
  senderId: string;
  channelRowId: string | null;
  chatId: string;
  peer: MessagePeer;
}

function peerOf(row: TelegramChannelEntity): MessagePeer {
  if (row.type === 'group') {
    return { kind: 'chat', id: row.channelId.replace(/^-/, ''), accessHash: null, chatType: 'group' };
  }
  return {
    kind: 'channel',
    id: row.channelId.replace(/^-100/, ''),
    accessHash: row.accessHash,
    chatType: row.type,
  };
}

/**
 * Who sends and where, from the caller's own rows: exactly one sender (an active account or bot of
 * the caller) and one target (a channel row, or a chat of theirs named by @username or id). A sender
 * our channel rows already show unable to post there is refused before anything is queued.
 */
@Injectable()
export class MessageTargets {
  constructor(
    private readonly senders: SenderDirectory,
    private readonly channels: ChannelsRepository,
  ) {}

  async resolve(userId: number, dto: SendMessageDto): Promise<ResolvedSend> {
    const problems = [];
    if ((dto.session_id === undefined) === (dto.bot_id === undefined)) {
      problems.push({ field: 'session_id', message: 'give exactly one sender: session_id or bot_id' });
    }
    if ((dto.channel_id === undefined) === (dto.chat === undefined)) {
      problems.push({ field: 'channel_id', message: 'give exactly one target: channel_id or chat' });
    }
    if (problems.length) throw new ValidationFailedError(problems);
    const senderType: SenderType = dto.session_id ? 'account' : 'bot';
    const senderId = (dto.session_id ?? dto.bot_id) as string;
    await this.requireSender(userId, senderType, senderId);
    const row = await this.chatRow(userId, dto);
    await this.refuseWhenKnownUnable(userId, row, senderType, senderId);
    return { senderType, senderId, channelRowId: row.id, chatId: row.channelId, peer: peerOf(row) };
  }

  private async requireSender(userId: number, type: SenderType, id: string): Promise<void> {
    const standing = await this.senders.of(type).standing(userId, id);
    if (standing === 'not_found') throw new SenderNotFoundError(type);
    if (standing === 'inactive') throw new SenderInactiveError();
  }

  private async chatRow(userId: number, dto: SendMessageDto): Promise<TelegramChannelEntity> {
    const row = dto.channel_id
      ? await this.channels.findForUser(userId, dto.channel_id)
      : await this.channels.findByChat(
          userId,
          dto.chat?.startsWith('@') ? { username: dto.chat.slice(1) } : { chatId: dto.chat as string },
        );
    if (!row || !row.isActive) throw new ChatNotFoundError();
    return row;
  }

  private async refuseWhenKnownUnable(
    userId: number,
    row: TelegramChannelEntity,
    type: SenderType,
    id: string,
  ): Promise<void> {
    const senders = await this.channels.sendersOf(userId, [row.id]);
    const mine = senders.find((s) => s.senderType === type && s.senderId === id);
    if (!mine) return; // our rows do not know: Telegram decides
    if (!mine.isActive) throw new SenderCannotPostError('The sender is no longer in this chat (it left it)');
    if (!mine.canPost) {
      throw new SenderCannotPostError(
        row.type === 'channel'
          ? 'The sender is not an admin of this channel who may post'
          : 'The sender may not post in this chat',
      );
    }
  }
}
