import { Api, type TelegramClient } from 'telegram';
import { returnBigInt } from './gramjs';
import { TelegramRejectedError } from '../telegram.errors';
import { chatInfoOf, type TelegramChatInfo } from './telegram-dialogs';
import type { TelegramCall } from './telegram-session-handle';

/**
 * A bot cannot list its dialogs (messages.getDialogs is BOT_METHOD_INVALID): it finds one chat from what
 * the caller names. `@username` → contacts.resolveUsername; `-100<id>` → channels.getChannels (a bot
 * addresses a channel it is in with access_hash 0); then channels.getParticipant(self) proves the bot is
 * in it and gives its rights. `-<id>` (a basic group) → messages.getChats (chatForbidden: not in it).
 */

/** `-100<id>` of a channel (not a basic group's `-<id>` that happens to start with -100): see bareChatId. */
const isChannelRef = (ref: string): boolean => /^-100[1-9]\d*$/.test(ref) && ref.length >= 14;

const NOT_MEMBER = new Set(['USER_NOT_PARTICIPANT', 'CHANNEL_PRIVATE', 'CHAT_FORBIDDEN']);
const NO_SUCH_CHAT = new Set([
  'USERNAME_NOT_OCCUPIED',
  'USERNAME_INVALID',
  'CHANNEL_INVALID',
  'CHAT_ID_INVALID',
]);

const notMember = (reason: string) =>
  new TelegramRejectedError(
    'unprocessable',
    'bot_not_in_chat',
    'The bot is not a member of this chat: add it there (as an admin to post in a channel), then try again',
    reason,
  );

const noSuchChat = (reason: string) =>
  new TelegramRejectedError(
    'unprocessable',
    'chat_not_found',
    'Telegram knows no chat by this name or id',
    reason,
  );

/** Telegram's refusals of the look-up, worded for the caller. */
function explained(error: unknown): unknown {
  if (!(error instanceof TelegramRejectedError)) return error;
  if (NOT_MEMBER.has(error.reason)) return notMember(error.reason);
  if (NO_SUCH_CHAT.has(error.reason)) return noSuchChat(error.reason);
  return error;
}

async function channelOf(client: TelegramClient, call: TelegramCall, ref: string): Promise<Api.TypeChat> {
  if (ref.startsWith('@')) {
    const resolved = await call('contacts.ResolveUsername', () =>
      client.invoke(new Api.contacts.ResolveUsername({ username: ref.slice(1) })),
    );
    const peer = resolved.peer;
    const found =
      peer instanceof Api.PeerChannel
        ? resolved.chats.find((c) => c.id.toString() === peer.channelId.toString())
        : undefined;
    if (!found) throw noSuchChat('USERNAME_NOT_OCCUPIED'); // a user or a bot, not a chat
    return found;
  }
  const input = new Api.InputChannel({ channelId: returnBigInt(ref.slice(4)), accessHash: returnBigInt(0) });
  const answer = await call('channels.GetChannels', () =>
    client.invoke(new Api.channels.GetChannels({ id: [input] })),
  );
  const [found] = answer.chats;
  if (!found) throw noSuchChat('CHANNEL_INVALID');
  return found;
}

async function channelChat(
  client: TelegramClient,
  call: TelegramCall,
  ref: string,
): Promise<TelegramChatInfo> {
  const chat = await channelOf(client, call, ref);
  if (!(chat instanceof Api.Channel)) throw notMember('CHANNEL_PRIVATE');
  const input = new Api.InputChannel({ channelId: chat.id, accessHash: chat.accessHash ?? returnBigInt(0) });
  const { participant } = await call('channels.GetParticipant', () =>
    client.invoke(new Api.channels.GetParticipant({ channel: input, participant: new Api.InputPeerSelf() })),
  );
  if (
    participant instanceof Api.ChannelParticipantBanned ||
    participant instanceof Api.ChannelParticipantLeft
  ) {
    throw notMember('USER_NOT_PARTICIPANT');
  }
  const rights =
    participant instanceof Api.ChannelParticipantAdmin ? participant.adminRights : chat.adminRights;
  const info = chatInfoOf(
    Object.assign(chat, {
      left: false,
      creator: participant instanceof Api.ChannelParticipantCreator,
      adminRights: rights,
    }),
  );
  if (!info) throw notMember('USER_NOT_PARTICIPANT');
  if (info.membersCount === null) {
    const full = await call('channels.GetFullChannel', () =>
      client.invoke(new Api.channels.GetFullChannel({ channel: input })),
    );
    if (full.fullChat instanceof Api.ChannelFull) info.membersCount = full.fullChat.participantsCount ?? null;
  }
  return info;
}

async function basicGroup(
  client: TelegramClient,
  call: TelegramCall,
  ref: string,
): Promise<TelegramChatInfo> {
  const answer = await call('messages.GetChats', () =>
    client.invoke(new Api.messages.GetChats({ id: [returnBigInt(ref.slice(1))] })),
  );
  const [chat] = answer.chats;
  if (!chat) throw noSuchChat('CHAT_ID_INVALID');
  const info = chatInfoOf(chat);
  if (!info) throw notMember('CHAT_FORBIDDEN');
  return info;
}

/**
 * The chat `ref` names as the signed-in bot sees it, with the bot's role and whether it may post. The
 * access hash is left out: Telegram's are per user, and the stored one serves the user's accounts.
 */
export async function findBotChat(
  client: TelegramClient,
  call: TelegramCall,
  ref: string,
): Promise<TelegramChatInfo> {
  try {
    const info =
      ref.startsWith('@') || isChannelRef(ref)
        ? await channelChat(client, call, ref)
        : await basicGroup(client, call, ref);
    return { ...info, accessHash: null };
  } catch (error) {
    throw explained(error);
  }
}
