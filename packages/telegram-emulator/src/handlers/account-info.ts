import { Api } from 'telegram';
import { accountByUserId, type EmulatedAccount } from '../accounts';
import { badRequest } from '../errors';
import { buildUser, buildUserFull } from '../tl-builders';
import { botGetUsers } from './bots';
import { signedInAccount } from './common';
import { handler, type HandlerDef, type RequestContext } from './registry';

/** What a signed-in key can read about itself: users.getUsers, users.getFullUser, updates.getState. */

/** The account an InputUser names (self, or another emulated user with the right access hash). */
function resolveInputUser(ctx: RequestContext, input: unknown): EmulatedAccount | undefined {
  const self = signedInAccount(ctx);
  if (input instanceof Api.InputUserSelf) return self;
  if (input instanceof Api.InputUser) {
    const account = accountByUserId(BigInt(input.userId.toString()));
    if (account && BigInt(input.accessHash.toString()) === account.accessHash) return account;
  }
  return undefined;
}

export const accountInfoHandlers: readonly HandlerDef[] = [
  handler(Api.users.GetUsers, { requiresAuth: true }, (ctx, req) => {
    if (ctx.key.botId !== undefined) return botGetUsers(ctx, req);
    const self = signedInAccount(ctx);
    const found: Api.TypeUser[] = [];
    for (const input of req.id) {
      const account = resolveInputUser(ctx, input);
      if (account) found.push(buildUser(account, account.phone === self.phone, ctx.clock.nowSeconds()));
    }
    return found;
  }),

  handler(Api.users.GetFullUser, { requiresAuth: true }, (ctx, req) => {
    const self = signedInAccount(ctx);
    const account = resolveInputUser(ctx, req.id);
    if (!account) throw badRequest('USER_ID_INVALID');
    return buildUserFull(account, account.phone === self.phone, ctx.clock.nowSeconds());
  }),

  handler(Api.updates.GetState, { requiresAuth: true }, (ctx) => {
    return new Api.updates.State({ pts: 1, qts: 0, date: ctx.clock.nowSeconds(), seq: 1, unreadCount: 0 });
  }),
];
