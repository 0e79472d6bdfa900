import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { badRequest, RpcFailure } from '../errors';
import { completeLogin, requireAccount } from './common';
import { handler, type HandlerDef } from './registry';

/** Login by phone code, and log out. */

const migrate = (dcId: number): RpcFailure => new RpcFailure(303, `PHONE_MIGRATE_${dcId}`);

export const authCodeHandlers: readonly HandlerDef[] = [
  handler(Api.auth.SendCode, { requiresAuth: false }, (ctx, req) => {
    if (!req.apiId || !req.apiHash) throw badRequest('API_ID_INVALID');
    const account = requireAccount(req.phoneNumber);
    if (account.homeDcId !== ctx.dcId) throw migrate(account.homeDcId);
    if (account.sendCodeFloodSeconds !== undefined) {
      throw new RpcFailure(420, `FLOOD_WAIT_${account.sendCodeFloodSeconds}`);
    }
    const phoneCodeHash = randomBytes(9).toString('hex');
    ctx.state.codes.set(phoneCodeHash, {
      phone: account.phone,
      keyRef: ctx.key.ref,
      code: account.loginCode,
      expiresAt: ctx.clock.now() + ctx.state.settings.codeTtlMs,
    });
    ctx.state.countCodeIssued(account.phone);
    return new Api.auth.SentCode({
      type: new Api.auth.SentCodeTypeApp({ length: account.loginCode.length }),
      phoneCodeHash,
    });
  }),

  handler(Api.auth.SignIn, { requiresAuth: false }, (ctx, req) => {
    const account = requireAccount(req.phoneNumber);
    if (account.homeDcId !== ctx.dcId) throw migrate(account.homeDcId);
    if (!req.phoneCodeHash) throw badRequest('PHONE_CODE_HASH_EMPTY');
    if (!req.phoneCode) throw badRequest('PHONE_CODE_EMPTY');
    const pending = ctx.state.codes.get(req.phoneCodeHash);
    // A hash sent to another auth key (or for another phone) is as good as expired for this one.
    if (!pending || pending.keyRef !== ctx.key.ref || pending.phone !== account.phone) {
      throw badRequest('PHONE_CODE_EXPIRED');
    }
    if (ctx.clock.now() > pending.expiresAt) {
      ctx.state.codes.delete(req.phoneCodeHash);
      throw badRequest('PHONE_CODE_EXPIRED');
    }
    if (req.phoneCode !== pending.code) throw badRequest('PHONE_CODE_INVALID');
    ctx.state.codes.delete(req.phoneCodeHash);
    return completeLogin(ctx, account);
  }),

  handler(Api.auth.LogOut, { requiresAuth: true }, (ctx) => {
    ctx.state.unauthorize(ctx.key);
    return new Api.auth.LoggedOut({});
  }),
];
