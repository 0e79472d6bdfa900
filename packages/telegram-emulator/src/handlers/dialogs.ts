import { Api } from 'telegram';
import { lookupAccount } from '../accounts';
import type { EmulatedChat, EmulatedDialog } from '../dialogs';
import { badRequest, RpcFailure } from '../errors';
import { buildUser } from '../tl-builders';
import { toLong } from '../tl-codec';
import { signedInAccount } from './common';
import { channelFor } from './bot-chats';
import { signedInBot } from './bots';
import { handler, type HandlerDef, type RequestContext } from './registry';

/**
 * messages.getDialogs as Telegram pages it (api/offsets.html, method/messages.getDialogs.html): newest
 * top message first; a page starts strictly after (offset_date, offset_id, offset_peer) — the last
 * dialog's top message of the page before; at most 100 per page; `messages.dialogs` when everything
 * fits in the first page, else `messages.dialogsSlice` with the total `count`. channels.getFullChannel
 * gives the participant count the dialog's Channel may omit (CHANNEL_INVALID / CHANNEL_PRIVATE otherwise).
 */

const MAX_PAGE = 100;

const peerOf = (d: EmulatedDialog): Api.TypePeer => {
  if (d.kind === 'private') {
    return new Api.PeerUser({ userId: toLong(lookupAccount(d.userPhone)?.userId ?? 0n) });
  }
  if (d.kind === 'group') return new Api.PeerChat({ chatId: toLong(d.id) });
  return new Api.PeerChannel({ channelId: toLong(d.id) });
};

/** A stable order key for ties: the peer's kind and id. */
const peerKey = (d: EmulatedDialog): string =>
  d.kind === 'private'
    ? `u${d.userPhone}`
    : `${d.kind === 'group' ? 'c' : 'h'}${d.id.toString().padStart(20, '0')}`;

function inputPeerKey(peer: Api.TypeInputPeer | undefined): string | undefined {
  if (peer instanceof Api.InputPeerChannel) return `h${peer.channelId.toString().padStart(20, '0')}`;
  if (peer instanceof Api.InputPeerChat) return `c${peer.chatId.toString().padStart(20, '0')}`;
  if (peer instanceof Api.InputPeerUser) {
    const n = BigInt(peer.userId.toString()) - 7_000_000_000n;
    const dc = n / 10_000n;
    return `u99966${dc}${(n % 10_000n).toString().padStart(4, '0')}`;
  }
  return undefined;
}

/** Newest first: date, then message id, then peer, all descending. */
function compare(a: EmulatedDialog, b: EmulatedDialog): number {
  return b.date - a.date || b.topMessageId - a.topMessageId || (peerKey(b) > peerKey(a) ? 1 : -1);
}

export function buildChat(c: EmulatedChat): Api.TypeChat {
  if (c.kind === 'group') {
    return new Api.Chat({
      id: toLong(c.id),
      title: c.title,
      photo: new Api.ChatPhotoEmpty(),
      participantsCount: c.participants,
      date: c.date,
      version: 1,
      creator: c.role === 'creator',
      adminRights:
        c.role === 'admin' ? new Api.ChatAdminRights({ changeInfo: true, inviteUsers: true }) : undefined,
    });
  }
  return new Api.Channel({
    id: toLong(c.id),
    accessHash: toLong(c.accessHash),
    title: c.title,
    photo: new Api.ChatPhotoEmpty(),
    date: c.date,
    broadcast: c.kind === 'channel',
    megagroup: c.kind === 'supergroup',
    creator: c.role === 'creator',
    username: c.username,
    participantsCount: c.countInDialog ? c.participants : undefined,
    adminRights:
      c.role === 'admin'
        ? new Api.ChatAdminRights({ postMessages: true, editMessages: true, inviteUsers: true })
        : undefined,
  });
}

/** The channel of a user's dialogs, or (for a bot) one it is in — see bot-chats.ts. */
function visibleChannel(ctx: RequestContext, input: Api.TypeInputChannel): EmulatedChat {
  if (ctx.key.botId !== undefined) {
    const chat = channelFor(ctx, input);
    const bot = signedInBot(ctx);
    if (!bot || !ctx.state.botMembers.of(chat.id, bot.botId)) throw badRequest('CHANNEL_PRIVATE');
    return chat;
  }
  const account = signedInAccount(ctx);
  if (!(input instanceof Api.InputChannel)) throw badRequest('CHANNEL_INVALID');
  const found = ctx.state.dialogs.chatOf(account, BigInt(input.channelId.toString()));
  if (!found || found.kind === 'group') throw badRequest('CHANNEL_INVALID');
  if (BigInt(input.accessHash.toString()) !== found.accessHash) throw badRequest('CHANNEL_PRIVATE');
  return found;
}

export const dialogHandlers: readonly HandlerDef[] = [
  handler(Api.messages.GetDialogs, { requiresAuth: true }, (ctx, req) => {
    const account = signedInAccount(ctx);
    const flood = ctx.state.dialogs.floodCheck(account);
    if (flood !== undefined) throw new RpcFailure(420, `FLOOD_WAIT_${flood}`);
    const all = ctx.state.dialogs.dialogsOf(account).sort(compare);
    let start = 0;
    if (req.offsetDate > 0 || req.offsetId > 0) {
      const key = inputPeerKey(req.offsetPeer as Api.TypeInputPeer);
      const offset = { date: req.offsetDate, id: req.offsetId, key: key ?? '' };
      start = all.findIndex(
        (d) =>
          d.date < offset.date ||
          (d.date === offset.date &&
            (d.topMessageId < offset.id || (d.topMessageId === offset.id && peerKey(d) < offset.key))),
      );
      if (start < 0) start = all.length;
    }
    const limit = Math.max(1, Math.min(req.limit || MAX_PAGE, MAX_PAGE));
    const page = all.slice(start, start + limit);
    const now = ctx.clock.nowSeconds();
    const chats = page.filter((d): d is EmulatedChat => d.kind !== 'private').map(buildChat);
    const users = page.flatMap((d) => {
      const other = d.kind === 'private' ? lookupAccount(d.userPhone) : undefined;
      return other ? [buildUser(other, false, now)] : [];
    });
    const dialogs = page.map(
      (d) =>
        new Api.Dialog({
          peer: peerOf(d),
          topMessage: d.topMessageId,
          readInboxMaxId: d.topMessageId,
          readOutboxMaxId: 0,
          unreadCount: 0,
          unreadMentionsCount: 0,
          unreadReactionsCount: 0,
          notifySettings: new Api.PeerNotifySettings({}),
        }),
    );
    const messages = page.map(
      (d) => new Api.Message({ id: d.topMessageId, peerId: peerOf(d), date: d.date, message: 'Hello' }),
    );
    if (start === 0 && all.length <= limit) {
      return new Api.messages.Dialogs({ dialogs, messages, chats, users });
    }
    return new Api.messages.DialogsSlice({ count: all.length, dialogs, messages, chats, users });
  }),

  handler(Api.channels.GetFullChannel, { requiresAuth: true }, (ctx, req) => {
    const found = visibleChannel(ctx, req.channel as Api.TypeInputChannel);
    return new Api.messages.ChatFull({
      fullChat: new Api.ChannelFull({
        id: toLong(found.id),
        about: '',
        participantsCount: found.participants,
        readInboxMaxId: found.topMessageId,
        readOutboxMaxId: 0,
        unreadCount: 0,
        chatPhoto: new Api.PhotoEmpty({ id: toLong(0n) }),
        notifySettings: new Api.PeerNotifySettings({}),
        botInfo: [],
        pts: 1,
      }),
      chats: [buildChat(found)],
      users: [],
    });
  }),
];
