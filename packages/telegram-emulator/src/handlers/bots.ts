import { Api } from 'telegram';
import { lookupBotById, lookupBotByToken, type EmulatedBot } from '../bots';
import { badRequest, RpcFailure } from '../errors';
import { toLong } from '../tl-codec';
import { handler, type HandlerDef, type RequestContext } from './registry';

/**
 * Bots: auth.importBotAuthorization (method/auth.importBotAuthorization.html — ACCESS_TOKEN_INVALID,
 * ACCESS_TOKEN_EXPIRED, API_ID_INVALID; a bot on another DC gets 303 USER_MIGRATE_X), and what a bot
 * may read about itself with users.getUsers.
 */

export function buildBotUser(bot: EmulatedBot, isSelf: boolean): Api.User {
  return new Api.User({
    self: isSelf,
    bot: true,
    id: toLong(bot.botId),
    accessHash: toLong(bot.accessHash),
    firstName: bot.firstName,
    username: bot.username,
    botInfoVersion: 1,
    botNochats: !bot.canJoinGroups,
    botChatHistory: false,
  });
}

/** The bot the key is signed in as. */
export function signedInBot(ctx: RequestContext): EmulatedBot | undefined {
  return ctx.key.botId === undefined ? undefined : lookupBotById(BigInt(ctx.key.botId));
}

/** users.getUsers for a key signed in as a bot: itself (other users are out of the emulator's scope). */
export function botGetUsers(ctx: RequestContext, req: Api.users.GetUsers): Api.TypeUser[] {
  const bot = signedInBot(ctx);
  if (!bot) throw ctx.state.notAuthorized(ctx.key);
  return req.id.filter((input) => input instanceof Api.InputUserSelf).map(() => buildBotUser(bot, true));
}

export const botHandlers: readonly HandlerDef[] = [
  handler(Api.auth.ImportBotAuthorization, { requiresAuth: false }, (ctx, req) => {
    if (!ctx.state.knowsApp(req.apiId, req.apiHash)) throw badRequest('API_ID_INVALID');
    const bot = lookupBotByToken(req.botAuthToken);
    if (!bot) throw badRequest('ACCESS_TOKEN_INVALID');
    if (bot.homeDcId !== ctx.dcId) throw new RpcFailure(303, `USER_MIGRATE_${bot.homeDcId}`);
    if (ctx.state.bots.isRevoked(req.botAuthToken)) throw badRequest('ACCESS_TOKEN_EXPIRED');
    ctx.state.bots.seen(bot, req.botAuthToken);
    ctx.key.userPhone = undefined;
    ctx.key.pendingPasswordPhone = undefined;
    ctx.key.revokedReason = undefined;
    ctx.key.botId = bot.botId.toString();
    return new Api.auth.Authorization({ user: buildBotUser(bot, true) });
  }),
];
