import type { Api } from 'telegram';
import { lookupAccount, type EmulatedAccount } from '../accounts';
import { badRequest, RpcFailure, unauthorized } from '../errors';
import { buildAuthorization } from '../tl-builders';
import type { RequestContext } from './registry';

/** The account for a phone field, or PHONE_NUMBER_INVALID (400, or 406 where the method page says so). */
export function requireAccount(phone: string | undefined, invalidCode: 400 | 406 = 400): EmulatedAccount {
  const account = lookupAccount(phone ?? '');
  if (!account) throw new RpcFailure(invalidCode, 'PHONE_NUMBER_INVALID');
  return account;
}

/** The account the key is signed in as (handlers declared `requiresAuth` only run for signed-in keys). */
export function signedInAccount(ctx: RequestContext): EmulatedAccount {
  if (ctx.key.botId !== undefined) throw badRequest('BOT_METHOD_INVALID');
  const account = ctx.key.userPhone === undefined ? undefined : lookupAccount(ctx.key.userPhone);
  if (!account) throw ctx.state.notAuthorized(ctx.key);
  return account;
}

/**
 * The last step of every login path (code, QR, import): with 2FA on, the key waits for CheckPassword and the
 * request fails with 401 SESSION_PASSWORD_NEEDED; otherwise the key is signed in.
 */
export function completeLogin(ctx: RequestContext, account: EmulatedAccount): Api.auth.Authorization {
  if (account.hasPassword) {
    ctx.key.userPhone = undefined;
    ctx.key.pendingPasswordPhone = account.phone;
    throw unauthorized('SESSION_PASSWORD_NEEDED');
  }
  ctx.state.authorize(ctx.key, account);
  return buildAuthorization(account, ctx.clock.nowSeconds());
}
