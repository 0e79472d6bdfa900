import { Api } from 'telegram';

/**
 * Reading an account's channels and groups from messages.getDialogs, as plain data (no GramJS type
 * leaves the gateway). Pages as api/offsets.html says: each next page starts at the last dialog's
 * top message (offset_date, offset_id) and peer; it stops at `messages.dialogs` (everything in one
 * answer), a short page, or `count` dialogs seen.
 */
export type ChatKind = 'channel' | 'supergroup' | 'group';
export type ChatRole = 'creator' | 'admin' | 'member';

export interface TelegramChatInfo {
  /** Bot API form: `-100<id>` for channels and supergroups, `-<id>` for basic groups. */
  chatId: string;
  kind: ChatKind;
  title: string;
  username: string | null;
  /** Needed to address a channel over MTProto (channels.*); null for basic groups. */
  accessHash: string | null;
  membersCount: number | null;
  role: ChatRole;
  canPost: boolean;
}

export const DIALOGS_PAGE_SIZE = 100;

export function chatInfoOf(chat: Api.TypeChat): TelegramChatInfo | undefined {
  if (chat instanceof Api.Chat) {
    if (chat.left || chat.deactivated || chat.migratedTo) return undefined;
    const role: ChatRole = chat.creator ? 'creator' : chat.adminRights ? 'admin' : 'member';
    return {
      chatId: `-${chat.id.toString()}`,
      kind: 'group',
      title: chat.title,
      username: null,
      accessHash: null,
      membersCount: chat.participantsCount,
      role,
      canPost: role !== 'member' || !chat.defaultBannedRights?.sendMessages,
    };
  }
  if (chat instanceof Api.Channel) {
    if (chat.left) return undefined;
    const kind: ChatKind = chat.broadcast ? 'channel' : 'supergroup';
    const role: ChatRole = chat.creator ? 'creator' : chat.adminRights ? 'admin' : 'member';
    const canPost =
      role === 'creator' ||
      (kind === 'channel'
        ? role === 'admin' && chat.adminRights?.postMessages === true
        : role === 'admin' || (!chat.bannedRights?.sendMessages && !chat.defaultBannedRights?.sendMessages));
    return {
      chatId: `-100${chat.id.toString()}`,
      kind,
      title: chat.title,
      username: chat.username ?? chat.usernames?.[0]?.username ?? null,
      accessHash: chat.accessHash?.toString() ?? null,
      membersCount: chat.participantsCount ?? null,
      role,
      canPost,
    };
  }
  return undefined; // ChatEmpty, ChatForbidden, ChannelForbidden: not reachable
}

const peerKey = (peer: Api.TypePeer): string =>
  peer instanceof Api.PeerChannel
    ? `channel:${peer.channelId.toString()}`
    : peer instanceof Api.PeerChat
      ? `chat:${peer.chatId.toString()}`
      : peer instanceof Api.PeerUser
        ? `user:${peer.userId.toString()}`
        : 'unknown';

const chatKey = (chat: Api.TypeChat): string =>
  chat instanceof Api.Channel || chat instanceof Api.ChannelForbidden
    ? `channel:${chat.id.toString()}`
    : `chat:${chat.id.toString()}`;

/** One page's chats (in dialog order) and the offsets of the next page, or `done`. */
export function readDialogsPage(
  answer: Api.messages.TypeDialogs,
  requested: number,
  seenBefore: number,
): {
  chats: TelegramChatInfo[];
  dialogs: number;
  next?: { offsetDate: number; offsetId: number; offsetPeer: Api.TypeInputPeer };
} {
  if (answer instanceof Api.messages.DialogsNotModified) return { chats: [], dialogs: 0 };
  const chatsByKey = new Map(answer.chats.map((c) => [chatKey(c), c]));
  const usersById = new Map(answer.users.map((u) => [`user:${u.id.toString()}`, u]));
  const messages = new Map(
    answer.messages
      .filter((m): m is Api.Message | Api.MessageService => !(m instanceof Api.MessageEmpty))
      .map((m) => [`${peerKey(m.peerId)}#${m.id}`, m]),
  );
  const dialogs = answer.dialogs.filter((d): d is Api.Dialog => d instanceof Api.Dialog);
  const chats: TelegramChatInfo[] = [];
  for (const dialog of dialogs) {
    const chat = chatsByKey.get(peerKey(dialog.peer));
    const info = chat && chatInfoOf(chat);
    if (info) chats.push(info);
  }
  const total = answer instanceof Api.messages.DialogsSlice ? answer.count : dialogs.length;
  const last = dialogs.at(-1);
  if (!(answer instanceof Api.messages.DialogsSlice) || !last || answer.dialogs.length < requested) {
    return { chats, dialogs: dialogs.length };
  }
  if (seenBefore + dialogs.length >= total) return { chats, dialogs: dialogs.length };
  const message = messages.get(`${peerKey(last.peer)}#${last.topMessage}`);
  const offsetPeer = inputPeerOf(last.peer, chatsByKey, usersById);
  if (!message || !offsetPeer) return { chats, dialogs: dialogs.length };
  return {
    chats,
    dialogs: dialogs.length,
    next: { offsetDate: message.date, offsetId: message.id, offsetPeer },
  };
}

function inputPeerOf(
  peer: Api.TypePeer,
  chats: Map<string, Api.TypeChat>,
  users: Map<string, Api.TypeUser>,
): Api.TypeInputPeer | undefined {
  const key = peerKey(peer);
  if (peer instanceof Api.PeerChat) return new Api.InputPeerChat({ chatId: peer.chatId });
  if (peer instanceof Api.PeerChannel) {
    const chat = chats.get(key);
    if (chat instanceof Api.Channel && chat.accessHash) {
      return new Api.InputPeerChannel({ channelId: chat.id, accessHash: chat.accessHash });
    }
    return undefined;
  }
  if (peer instanceof Api.PeerUser) {
    const user = users.get(key);
    if (user instanceof Api.User && user.accessHash) {
      return new Api.InputPeerUser({ userId: user.id, accessHash: user.accessHash });
    }
  }
  return undefined;
}
