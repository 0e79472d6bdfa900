import { Api } from 'telegram';
import { findChat, findChatByUsername, type BotMembership } from '../bot-chats';
import type { EmulatedBot } from '../bots';
import type { EmulatedChat } from '../dialogs';
import { badRequest } from '../errors';
import { toLong } from '../tl-codec';
import { buildBotUser, signedInBot } from './bots';
import { buildChat } from './dialogs';
import { handler, type HandlerDef, type RequestContext } from './registry';

/**
 * What a bot can learn about a chat it cannot list: contacts.resolveUsername (USERNAME_INVALID,
 * USERNAME_NOT_OCCUPIED), channels.getChannels (CHANNEL_INVALID, CHANNEL_PRIVATE),
 * channels.getParticipant for itself (USER_NOT_PARTICIPANT, CHANNEL_INVALID, CHANNEL_PRIVATE) and
 * messages.getChats for basic groups (CHAT_ID_INVALID; a group the bot is not in is chatForbidden).
 * A bot addresses a channel it is in with access_hash 0 (it has no dialog to take one from).
 */

const USERNAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;

function botOf(ctx: RequestContext): EmulatedBot | undefined {
  return signedInBot(ctx);
}

/** These methods are answered for bots only (a user reads its chats from its dialogs). */
function requireBot(ctx: RequestContext): EmulatedBot {
  const bot = botOf(ctx);
  if (!bot) throw badRequest('METHOD_NOT_SUPPORTED_BY_EMULATOR');
  return bot;
}

const membershipOf = (ctx: RequestContext, chat: EmulatedChat, bot: EmulatedBot | undefined) =>
  bot ? ctx.state.botMembers.of(chat.id, bot.botId) : undefined;

/** The chat as the bot sees it: its own rights, `left` when it is not in it. */
function chatForBot(chat: EmulatedChat, member: BotMembership | undefined): Api.TypeChat {
  if (chat.kind === 'group') {
    if (!member) return new Api.ChatForbidden({ id: toLong(chat.id), title: chat.title });
    return new Api.Chat({
      id: toLong(chat.id),
      title: chat.title,
      photo: new Api.ChatPhotoEmpty(),
      participantsCount: chat.participants,
      date: chat.date,
      version: 1,
      adminRights: member.admin ? new Api.ChatAdminRights({ changeInfo: true }) : undefined,
    });
  }
  return new Api.Channel({
    id: toLong(chat.id),
    accessHash: toLong(chat.accessHash),
    title: chat.title,
    photo: new Api.ChatPhotoEmpty(),
    date: chat.date,
    broadcast: chat.kind === 'channel',
    megagroup: chat.kind === 'supergroup',
    left: member === undefined,
    username: chat.username,
    participantsCount: chat.countInDialog ? chat.participants : undefined,
    adminRights: member?.admin
      ? new Api.ChatAdminRights({ postMessages: true, editMessages: true, deleteMessages: true })
      : undefined,
  });
}

/** The channel an InputChannel names, checked the way Telegram checks the caller's access to it. */
export function channelFor(ctx: RequestContext, input: Api.TypeInputChannel): EmulatedChat {
  if (!(input instanceof Api.InputChannel)) throw badRequest('CHANNEL_INVALID');
  const chat = findChat(ctx.state.dialogs, BigInt(input.channelId.toString()));
  if (!chat || chat.kind === 'group') throw badRequest('CHANNEL_INVALID');
  const hash = BigInt(input.accessHash.toString());
  const member = membershipOf(ctx, chat, botOf(ctx));
  if (hash !== chat.accessHash && !(hash === 0n && member)) throw badRequest('CHANNEL_PRIVATE');
  return chat;
}

export const botChatHandlers: readonly HandlerDef[] = [
  handler(Api.contacts.ResolveUsername, { requiresAuth: true }, (ctx, req) => {
    if (!USERNAME.test(req.username)) throw badRequest('USERNAME_INVALID');
    const chat = findChatByUsername(ctx.state.dialogs, req.username);
    if (!chat) throw badRequest('USERNAME_NOT_OCCUPIED');
    const bot = botOf(ctx);
    return new Api.contacts.ResolvedPeer({
      peer: new Api.PeerChannel({ channelId: toLong(chat.id) }),
      chats: [bot ? chatForBot(chat, membershipOf(ctx, chat, bot)) : buildChat({ ...chat, role: 'member' })],
      users: [],
    });
  }),

  handler(Api.channels.GetChannels, { requiresAuth: true }, (ctx, req) => {
    const bot = requireBot(ctx);
    const chats = req.id.map((input) => {
      const chat = channelFor(ctx, input as Api.TypeInputChannel);
      return chatForBot(chat, membershipOf(ctx, chat, bot));
    });
    return new Api.messages.Chats({ chats });
  }),

  handler(Api.channels.GetParticipant, { requiresAuth: true }, (ctx, req) => {
    const bot = requireBot(ctx);
    if (!(req.participant instanceof Api.InputPeerSelf)) throw badRequest('PARTICIPANT_ID_INVALID');
    const chat = channelFor(ctx, req.channel as Api.TypeInputChannel);
    const member = membershipOf(ctx, chat, bot);
    if (!member) throw badRequest('USER_NOT_PARTICIPANT');
    const userId = toLong(bot.botId);
    const participant = member.admin
      ? new Api.ChannelParticipantAdmin({
          self: true, // flags.1 also carries inviter_id: both or neither
          userId,
          inviterId: userId,
          promotedBy: userId,
          date: chat.date,
          adminRights: new Api.ChatAdminRights({ postMessages: true, editMessages: true }),
        })
      : new Api.ChannelParticipantSelf({ userId, inviterId: userId, date: chat.date });
    return new Api.channels.ChannelParticipant({
      participant,
      chats: [chatForBot(chat, member)],
      users: [buildBotUser(bot, true)],
    });
  }),

  handler(Api.messages.GetChats, { requiresAuth: true }, (ctx, req) => {
    const bot = requireBot(ctx);
    const chats = req.id.map((id) => {
      const chat = findChat(ctx.state.dialogs, BigInt(id.toString()));
      if (!chat || chat.kind !== 'group') throw badRequest('CHAT_ID_INVALID');
      return chatForBot(chat, membershipOf(ctx, chat, bot));
    });
    return new Api.messages.Chats({ chats });
  }),
];
