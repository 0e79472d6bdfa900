import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BadRequestError, ValidationFailedError } from '../../common/errors/app-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MarkupError, parseMarkup } from '../gateway/telegram-markup';
import { MessageTargets } from './message-target';
import { MessageTransitions } from './message-transitions';
import { MessagePageDto, MessageResponseDto, SendAcceptedDto, type MessagesQueryDto } from './messages.dto';
import {
  IdempotencyKeyReusedError,
  MessageNotCancellableError,
  MessageNotFoundError,
} from './messages.errors';
import { MessagesRepository } from './messages.repository';
import type { SendInput } from './send-input';
import type { MessageMedia, TelegramMessageEntity } from './telegram-message.entity';
import { isUniqueViolation } from '../../database/pg-errors';

/** Telegram's limits after entity parsing (help.getConfig: message_length_max, caption_length_max). */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png']);

export interface Accepted {
  body: SendAcceptedDto;
  /** True when an Idempotency-Key replayed a stored answer. */
  replayed: boolean;
}

@Injectable()
export class MessagesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: MessagesRepository,
    private readonly targets: MessageTargets,
    private readonly transitions: MessageTransitions,
  ) {}

  async send(userId: number, input: SendInput, idempotencyKey?: string): Promise<Accepted> {
    if (idempotencyKey !== undefined) {
      const stored = await this.replay(userId, idempotencyKey, input.hash);
      if (stored) return { body: SendAcceptedDto.from(stored), replayed: true };
    }
    const { dto, file } = input;
    this.checkText(dto.text ?? '', dto.parse_mode ?? null, file !== undefined);
    const target = await this.targets.resolve(userId, dto);
    const sendAt = dto.send_at ? new Date(dto.send_at) : null;
    const media: MessageMedia | null = file
      ? {
          kind: PHOTO_TYPES.has(file.mimeType) ? 'photo' : 'document',
          file_name: file.fileName,
          mime_type: file.mimeType,
          size: file.content.length,
        }
      : null;
    try {
      const row = await this.transitions.queued(
        {
          userId,
          ...target,
          lane: `${target.senderType}:${target.senderId}:${target.chatId}`,
          text: dto.text ?? '',
          parseMode: dto.parse_mode ?? null,
          options: {
            ...(dto.silent !== undefined ? { silent: dto.silent } : {}),
            ...(dto.disable_link_preview !== undefined
              ? { disable_link_preview: dto.disable_link_preview }
              : {}),
            ...(dto.reply_to !== undefined ? { reply_to: dto.reply_to } : {}),
          },
          media,
          randomId: randomBytes(8).readBigInt64LE(0).toString(),
          sendAt,
          idempotencyKey: idempotencyKey ?? null,
          requestHash: idempotencyKey !== undefined ? input.hash : null,
        },
        file?.content,
      );
      return { body: SendAcceptedDto.from(row), replayed: false };
    } catch (error) {
      // Two requests with one key at once: the loser answers what the winner stored.
      if (idempotencyKey !== undefined && isUniqueViolation(error)) {
        const stored = await this.replay(userId, idempotencyKey, input.hash);
        if (stored) return { body: SendAcceptedDto.from(stored), replayed: true };
      }
      throw error;
    }
  }

  async get(userId: number, id: string): Promise<MessageResponseDto> {
    return MessageResponseDto.from(await this.owned(userId, id));
  }

  async list(userId: number, query: MessagesQueryDto): Promise<MessagePageDto> {
    const page = query.page ?? 1;
    const size = query.size ?? 20;
    const [rows, total] = await this.repository.page(userId, {
      status: query.status,
      channelRowId: query.channel_id,
      page,
      size,
    });
    return {
      items: rows.map((r) => MessageResponseDto.from(r)),
      total,
      page,
      size,
      pages: Math.ceil(total / size),
    };
  }

  async cancel(userId: number, id: string): Promise<MessageResponseDto> {
    const row = await this.owned(userId, id);
    const cancelled = await this.transitions.cancelled(userId, id);
    if (!cancelled)
      throw new MessageNotCancellableError((await this.owned(userId, id).catch(() => row)).status);
    return MessageResponseDto.from(cancelled);
  }

  /** Markup must parse, and the text fit Telegram's limit once parsed. */
  private checkText(text: string, mode: 'markdown' | 'html' | null, withFile: boolean): void {
    let plain: string;
    try {
      plain = parseMarkup(text, mode).text;
    } catch (error) {
      if (error instanceof MarkupError) {
        throw new BadRequestError('markup_invalid', `The ${mode} markup is malformed: ${error.message}`);
      }
      throw error;
    }
    if (!withFile && plain.trim() === '') {
      throw new ValidationFailedError([{ field: 'text', message: 'text is required (or send a file)' }]);
    }
    const limit = withFile ? CAPTION_LIMIT : TEXT_LIMIT;
    if (plain.length > limit) {
      throw new BadRequestError(
        withFile ? 'caption_too_long' : 'text_too_long',
        `The ${withFile ? 'caption' : 'text'} is ${plain.length} characters after markup; Telegram allows ${limit}`,
      );
    }
  }

  /** The message an Idempotency-Key already names (same request), 422 for another request; undefined when free. */
  private async replay(
    userId: number,
    key: string,
    hash: string,
  ): Promise<TelegramMessageEntity | undefined> {
    return this.dataSource.transaction(async (tx) => {
      const row = await this.repository.findByIdempotencyKey(tx, userId, key);
      if (!row) return undefined;
      const windowMs = this.config.send.idempotencyHours * 3_600_000;
      if (Date.now() - row.createdAt.getTime() > windowMs) {
        await this.repository.releaseIdempotencyKey(tx, row.id);
        return undefined;
      }
      if (row.requestHash !== hash) throw new IdempotencyKeyReusedError();
      return row;
    });
  }

  private async owned(userId: number, id: string): Promise<TelegramMessageEntity> {
    const row = await this.repository.findForUser(userId, id);
    if (!row) throw new MessageNotFoundError();
    return row;
  }
}
