import { Api } from 'telegram';
import { lookupAccount } from '../accounts';
import { buildChat } from './dialogs';
import { badRequest, RpcFailure } from '../errors';
import {
  botApiChatId,
  findChat,
  hasSlowMode,
  postingRefusal,
  senderKey,
  type EmulatedSender,
} from '../messages';
import { toLong, randomLong } from '../tl-codec';
import { signedInBot } from './bots';
import { handler, type HandlerDef, type RequestContext } from './registry';

/**
 * messages.sendMessage / messages.sendMedia and the uploads before them, as their method pages
 * answer (method/messages.sendMessage.html, method/messages.sendMedia.html, api/files.html):
 * `UpdateShortSentMessage` for a basic group, `Updates` with `UpdateMessageID` (echoing random_id)
 * and `UpdateNewChannelMessage` for channels and supergroups (and for every media message).
 * Errors: FLOOD_WAIT_X (420), SLOWMODE_WAIT_X, RANDOM_ID_DUPLICATE, CHAT_ADMIN_REQUIRED,
 * CHAT_WRITE_FORBIDDEN, CHANNEL_PRIVATE, CHANNEL_INVALID, PEER_ID_INVALID, MESSAGE_EMPTY,
 * MESSAGE_TOO_LONG, MEDIA_CAPTION_TOO_LONG, FILE_PARTS_INVALID, FILE_PART_SIZE_INVALID,
 * IMAGE_PROCESS_FAILED. World rules: emulator/messages.ts.
 */

const IMAGE_MAGIC = [Buffer.from([0xff, 0xd8, 0xff]), Buffer.from([0x89, 0x50, 0x4e, 0x47])];
const looksLikeImage = (head: Buffer): boolean =>
  IMAGE_MAGIC.some((m) => head.subarray(0, m.length).equals(m));
const MESSAGE_LENGTH_MAX = 4096;
const CAPTION_LENGTH_MAX = 1024;
const PART_SIZE_MAX = 512 * 1024;

function senderOf(ctx: RequestContext): EmulatedSender {
  const bot = signedInBot(ctx);
  if (bot) return { type: 'bot', bot };
  const account = ctx.key.userPhone === undefined ? undefined : lookupAccount(ctx.key.userPhone);
  if (!account) throw ctx.state.notAuthorized(ctx.key);
  return { type: 'account', account };
}

interface Target {
  chatId: string;
  peer: Api.TypePeer;
  channel?: Api.TypeChat;
  group: boolean;
  slowMode: boolean;
}

function targetOf(ctx: RequestContext, sender: EmulatedSender, peer: Api.TypeInputPeer): Target {
  if (peer instanceof Api.InputPeerChannel || peer instanceof Api.InputPeerChat) {
    const bare = BigInt((peer instanceof Api.InputPeerChannel ? peer.channelId : peer.chatId).toString());
    const found = findChat(ctx.state.dialogs, bare);
    const isChannel = peer instanceof Api.InputPeerChannel;
    if (!found || (found.chat.kind === 'group') === isChannel) {
      throw badRequest(isChannel ? 'CHANNEL_INVALID' : 'PEER_ID_INVALID');
    }
    if (
      peer instanceof Api.InputPeerChannel &&
      BigInt(peer.accessHash.toString()) !== found.chat.accessHash
    ) {
      throw badRequest('CHANNEL_INVALID');
    }
    const refusal = postingRefusal(sender, found.owner, found.chat);
    if (refusal) throw new RpcFailure(refusal === 'CHAT_WRITE_FORBIDDEN' ? 403 : 400, refusal);
    return {
      chatId: botApiChatId(found.chat),
      peer: isChannel
        ? new Api.PeerChannel({ channelId: toLong(bare) })
        : new Api.PeerChat({ chatId: toLong(bare) }),
      channel: isChannel ? buildChat(found.chat) : undefined,
      group: !isChannel,
      slowMode: hasSlowMode(found.chat),
    };
  }
  if (peer instanceof Api.InputPeerUser) {
    const id = BigInt(peer.userId.toString()) - 7_000_000_000n;
    const phone = `99966${id / 10_000n}${(id % 10_000n).toString().padStart(4, '0')}`;
    if (id < 0n || !lookupAccount(phone)) throw badRequest('PEER_ID_INVALID');
    return {
      chatId: peer.userId.toString(),
      peer: new Api.PeerUser({ userId: peer.userId }),
      group: true,
      slowMode: false,
    };
  }
  throw badRequest('PEER_ID_INVALID');
}

function senderInfo(sender: EmulatedSender) {
  return sender.type === 'account'
    ? {
        type: 'account' as const,
        id: sender.account.phone,
        name: `${sender.account.firstName} ${sender.account.lastName}`,
      }
    : { type: 'bot' as const, id: sender.bot.botId.toString(), name: sender.bot.username };
}

type MediaInfo = { kind: 'photo' | 'document'; name: string; size: number; mimeType: string };

function uploadedMedia(ctx: RequestContext, media: Api.TypeInputMedia): MediaInfo {
  const isPhoto = media instanceof Api.InputMediaUploadedPhoto;
  if (!isPhoto && !(media instanceof Api.InputMediaUploadedDocument)) throw badRequest('MEDIA_INVALID');
  const file = media.file;
  if (!(file instanceof Api.InputFile) && !(file instanceof Api.InputFileBig))
    throw badRequest('FILE_PARTS_INVALID');
  const upload = ctx.state.messages.takeUpload(`${ctx.key.ref}:${file.id.toString()}`, file.parts);
  if (!upload) throw badRequest('FILE_PARTS_INVALID');
  if (isPhoto && !looksLikeImage(upload.head)) throw badRequest('IMAGE_PROCESS_FAILED');
  const mimeType = isPhoto ? 'image/jpeg' : (media as Api.InputMediaUploadedDocument).mimeType;
  return { kind: isPhoto ? 'photo' : 'document', name: file.name, size: upload.size, mimeType };
}

function buildMedia(info: MediaInfo, date: number, dcId: number): Api.TypeMessageMedia {
  const common = {
    id: toLong(randomLong()),
    accessHash: toLong(randomLong()),
    fileReference: Buffer.alloc(8),
    date,
    dcId,
  };
  if (info.kind === 'photo') {
    return new Api.MessageMediaPhoto({
      photo: new Api.Photo({
        ...common,
        sizes: [new Api.PhotoSize({ type: 'x', w: 800, h: 600, size: info.size })],
      }),
    });
  }
  return new Api.MessageMediaDocument({
    document: new Api.Document({
      ...common,
      mimeType: info.mimeType,
      size: toLong(BigInt(info.size)),
      attributes: [new Api.DocumentAttributeFilename({ fileName: info.name })],
    }),
  });
}

async function send(
  ctx: RequestContext,
  req: { peer: Api.TypeInputPeer; message: string; randomId: Api.long; media?: Api.TypeInputMedia },
): Promise<Api.TypeUpdates> {
  const sender = senderOf(ctx);
  const key = senderKey(sender);
  const target = targetOf(ctx, sender, req.peer);
  const world = ctx.state.messages;
  const flood = world.takeFlood(key);
  if (flood !== undefined) throw new RpcFailure(420, `FLOOD_WAIT_${flood}`);
  const randomId = req.randomId.toString();
  if (world.isDuplicate(key, randomId)) throw badRequest('RANDOM_ID_DUPLICATE');
  if (req.media) {
    if (req.message.length > CAPTION_LENGTH_MAX) throw badRequest('MEDIA_CAPTION_TOO_LONG');
  } else {
    if (req.message.trim() === '') throw badRequest('MESSAGE_EMPTY');
    if (req.message.length > MESSAGE_LENGTH_MAX) throw badRequest('MESSAGE_TOO_LONG');
  }
  const now = ctx.clock.now();
  if (target.slowMode) {
    const left = world.slowModeLeft(key, target.chatId, now);
    if (left > 0) throw new RpcFailure(420, `SLOWMODE_WAIT_${left}`);
  }
  const media = req.media ? uploadedMedia(ctx, req.media) : undefined;
  const date = Math.floor(now / 1000);
  const stored = world.deliver(key, now, {
    chatId: target.chatId,
    text: req.message,
    sender: senderInfo(sender),
    randomId,
    date,
    ...(media ? { media: { kind: media.kind, name: media.name, size: media.size } } : {}),
  });
  const pts = stored.id;
  if (target.group && !media) {
    return new Api.UpdateShortSentMessage({ out: true, id: stored.id, pts, ptsCount: 1, date });
  }
  const message = new Api.Message({
    out: true,
    id: stored.id,
    peerId: target.peer,
    date,
    message: req.message,
    media: media ? buildMedia(media, date, ctx.dcId) : undefined,
  });
  const update = target.group
    ? new Api.UpdateNewMessage({ message, pts, ptsCount: 1 })
    : new Api.UpdateNewChannelMessage({ message, pts, ptsCount: 1 });
  return new Api.Updates({
    updates: [new Api.UpdateMessageID({ id: stored.id, randomId: req.randomId }), update],
    users: [],
    chats: target.channel ? [target.channel] : [],
    date,
    seq: 0,
  });
}

function savePart(
  ctx: RequestContext,
  fileId: Api.long,
  part: number,
  bytes: Buffer,
  total?: number,
): boolean {
  if (bytes.length === 0 || bytes.length > PART_SIZE_MAX) throw badRequest('FILE_PART_SIZE_INVALID');
  if (part < 0 || (total !== undefined && part >= total)) throw badRequest('FILE_PART_INVALID');
  ctx.state.messages.savePart(`${ctx.key.ref}:${fileId.toString()}`, part, bytes);
  return true;
}

export const messageHandlers: readonly HandlerDef[] = [
  handler(Api.messages.SendMessage, { requiresAuth: true }, (ctx, req) =>
    send(ctx, {
      peer: req.peer as Api.TypeInputPeer,
      message: req.message,
      randomId: req.randomId ?? toLong(0n),
    }),
  ),
  handler(Api.messages.SendMedia, { requiresAuth: true }, (ctx, req) =>
    send(ctx, {
      peer: req.peer as Api.TypeInputPeer,
      message: req.message,
      randomId: req.randomId ?? toLong(0n),
      media: req.media as Api.TypeInputMedia,
    }),
  ),
  handler(Api.upload.SaveFilePart, { requiresAuth: true }, (ctx, req) =>
    savePart(ctx, req.fileId, req.filePart, Buffer.from(req.bytes)),
  ),
  handler(Api.upload.SaveBigFilePart, { requiresAuth: true }, (ctx, req) =>
    savePart(ctx, req.fileId, req.filePart, Buffer.from(req.bytes), req.fileTotalParts),
  ),
];
