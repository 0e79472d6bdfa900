import { randomBytes } from 'node:crypto';
import { Api, type TelegramClient } from 'telegram';
import { returnBigInt } from './gramjs';
import { TelegramRejectedError, TelegramUnavailableError } from '../telegram.errors';
import { parseMarkup, type ParseMode } from './telegram-markup';
import type { TelegramCall } from './telegram-session-handle';

/** Where a message goes, as plain data (ids are decimal strings; the access hash is not a secret). */
export interface SendPeer {
  kind: 'channel' | 'chat' | 'user';
  /** Bare id (no -100 prefix). */
  id: string;
  accessHash: string | null;
}

export interface OutgoingMedia {
  kind: 'photo' | 'document';
  fileName: string;
  mimeType: string;
  content: Buffer;
}

export interface OutgoingMessage {
  peer: SendPeer;
  text: string;
  parseMode: ParseMode | null;
  /** Telegram's random_id (int64, decimal): the same on every attempt of one message. */
  randomId: string;
  silent?: boolean;
  noWebpage?: boolean;
  replyTo?: number;
  media?: OutgoingMedia;
}

/** Telegram's answer: the new message id, or `duplicate` (RANDOM_ID_DUPLICATE: delivered by an earlier attempt). */
export type SendResult = { kind: 'sent'; messageId: string } | { kind: 'duplicate' };

/** Telegram's upload part size (api/files.html: a divisor of 512 KiB) and the big-file threshold. */
const PART_SIZE = 512 * 1024;
const BIG_FILE_BYTES = 10 * 1024 * 1024;

function inputPeer(peer: SendPeer): Api.TypeInputPeer {
  const id = returnBigInt(peer.id);
  const accessHash = returnBigInt(peer.accessHash ?? '0');
  if (peer.kind === 'channel') return new Api.InputPeerChannel({ channelId: id, accessHash });
  if (peer.kind === 'chat') return new Api.InputPeerChat({ chatId: id });
  return new Api.InputPeerUser({ userId: id, accessHash });
}

/** The new message's id from messages.sendMessage / sendMedia's answer (method pages: Updates). */
function messageIdOf(result: Api.TypeUpdates, randomId: string): string {
  if (result instanceof Api.UpdateShortSentMessage) return String(result.id);
  if (result instanceof Api.Updates || result instanceof Api.UpdatesCombined) {
    const echo = result.updates.find(
      (u): u is Api.UpdateMessageID =>
        u instanceof Api.UpdateMessageID && u.randomId?.toString() === randomId,
    );
    if (echo) return String(echo.id);
    for (const u of result.updates) {
      if (u instanceof Api.UpdateNewMessage || u instanceof Api.UpdateNewChannelMessage) {
        return String(u.message.id);
      }
    }
  }
  throw new TelegramUnavailableError('Telegram answered a send without the new message', 'bad_response');
}

/** Sending through one connected client: messages.sendMessage, upload.saveFilePart + messages.sendMedia. */
export class TelegramMessaging {
  constructor(
    private readonly client: TelegramClient,
    private readonly call: TelegramCall,
  ) {}

  async send(message: OutgoingMessage): Promise<SendResult> {
    const parsed = parseMarkup(message.text, message.parseMode);
    const peer = inputPeer(message.peer);
    const randomId = returnBigInt(message.randomId);
    const replyTo = message.replyTo
      ? new Api.InputReplyToMessage({ replyToMsgId: message.replyTo })
      : undefined;
    const entities = parsed.entities.length ? parsed.entities : undefined;
    try {
      let result: Api.TypeUpdates;
      if (message.media) {
        const media = await this.uploadMedia(message.media);
        result = await this.call('messages.SendMedia', () =>
          this.client.invoke(
            new Api.messages.SendMedia({
              peer,
              media,
              message: parsed.text,
              entities,
              randomId,
              silent: message.silent,
              replyTo,
            }),
          ),
        );
      } else {
        result = await this.call('messages.SendMessage', () =>
          this.client.invoke(
            new Api.messages.SendMessage({
              peer,
              message: parsed.text,
              entities,
              randomId,
              silent: message.silent,
              noWebpage: message.noWebpage,
              replyTo,
            }),
          ),
        );
      }
      return { kind: 'sent', messageId: messageIdOf(result, message.randomId) };
    } catch (error) {
      if (error instanceof TelegramRejectedError && error.reason === 'RANDOM_ID_DUPLICATE') {
        return { kind: 'duplicate' };
      }
      throw error;
    }
  }

  /** upload.saveFilePart (or saveBigFilePart past 10 MiB) part by part, then the InputMedia for it. */
  private async uploadMedia(media: OutgoingMedia): Promise<Api.TypeInputMedia> {
    const fileId = returnBigInt(randomBytes(8).readBigInt64LE(0).toString());
    const total = Math.max(1, Math.ceil(media.content.length / PART_SIZE));
    const big = media.content.length > BIG_FILE_BYTES;
    for (let part = 0; part < total; part++) {
      const bytes = media.content.subarray(part * PART_SIZE, (part + 1) * PART_SIZE);
      const request = big
        ? new Api.upload.SaveBigFilePart({ fileId, filePart: part, fileTotalParts: total, bytes })
        : new Api.upload.SaveFilePart({ fileId, filePart: part, bytes });
      const ok = await this.call(big ? 'upload.SaveBigFilePart' : 'upload.SaveFilePart', () =>
        this.client.invoke(request),
      );
      if (!ok) throw new TelegramUnavailableError('Telegram did not store a file part', 'bad_response');
    }
    const file = big
      ? new Api.InputFileBig({ id: fileId, parts: total, name: media.fileName })
      : new Api.InputFile({ id: fileId, parts: total, name: media.fileName, md5Checksum: '' });
    if (media.kind === 'photo') return new Api.InputMediaUploadedPhoto({ file });
    return new Api.InputMediaUploadedDocument({
      file,
      mimeType: media.mimeType,
      attributes: [new Api.DocumentAttributeFilename({ fileName: media.fileName })],
    });
  }
}
