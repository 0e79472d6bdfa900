import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { badRequest, RpcFailure } from '../errors';
import type { EmulatedAccount } from '../accounts';
import { completeLogin, requireAccount } from './common';
import { handler, type HandlerDef, type RequestContext } from './registry';

/**
 * Login by phone code, and log out (method/auth.sendCode, auth.resendCode, auth.signIn, auth.logOut).
 * The code type follows the account's CodeDelivery: app; SMS with `next_type` call and a `timeout`;
 * or "set up a login email first" (auth.sentCodeTypeSetUpEmailRequired).
 */

const migrate = (dcId: number): RpcFailure => new RpcFailure(303, `PHONE_MIGRATE_${dcId}`);
/** method/auth.sendCode, auth.signIn: 500 AUTH_RESTART, "Restart the authorization process". */
const authRestart = (): RpcFailure => new RpcFailure(500, 'AUTH_RESTART');

function sentCodeFor(
  ctx: RequestContext,
  account: EmulatedAccount,
  phoneCodeHash: string,
): Api.auth.SentCode {
  const length = account.loginCode.length;
  switch (account.codeDelivery) {
    case 'sms':
      return new Api.auth.SentCode({
        type: new Api.auth.SentCodeTypeSms({ length }),
        phoneCodeHash,
        nextType: new Api.auth.CodeTypeCall(),
        timeout: ctx.state.settings.resendTimeoutSeconds,
      });
    case 'email_setup_required':
      return new Api.auth.SentCode({
        type: new Api.auth.SentCodeTypeSetUpEmailRequired({
          appleSigninAllowed: false,
          googleSigninAllowed: false,
        }),
        phoneCodeHash,
      });
    default:
      return new Api.auth.SentCode({ type: new Api.auth.SentCodeTypeApp({ length }), phoneCodeHash });
  }
}

export const authCodeHandlers: readonly HandlerDef[] = [
  handler(Api.auth.SendCode, { requiresAuth: false }, (ctx, req) => {
    if (!ctx.state.knowsApp(req.apiId, req.apiHash)) throw badRequest('API_ID_INVALID');
    const account = requireAccount(req.phoneNumber, 406); // method/auth.sendCode, auth.signIn: 406
    if (ctx.state.homeDcOf(account) !== ctx.dcId) throw migrate(ctx.state.homeDcOf(account));
    if (account.sendCodeFloodSeconds !== undefined) {
      throw new RpcFailure(420, `FLOOD_WAIT_${account.sendCodeFloodSeconds}`);
    }
    if (account.sendCodeRefusal !== undefined) throw badRequest(account.sendCodeRefusal);
    if (account.authRestartAt === 'sendCode' && ctx.state.firstAuthRestart(account.phone, 'sendCode')) {
      throw authRestart();
    }
    const phoneCodeHash = randomBytes(9).toString('hex');
    ctx.state.codes.set(phoneCodeHash, {
      phone: account.phone,
      keyRef: ctx.key.ref,
      code: account.loginCode,
      expiresAt: ctx.clock.now() + ctx.state.settings.codeTtlMs,
      nextType: account.codeDelivery === 'sms' ? 'call' : undefined,
      wrongCodes: 0,
    });
    ctx.state.countCodeIssued(account.phone);
    return sentCodeFor(ctx, account, phoneCodeHash);
  }),

  // The code again by the `next_type` announced; once none is left, SEND_CODE_UNAVAILABLE (406).
  handler(Api.auth.ResendCode, { requiresAuth: false }, (ctx, req) => {
    const account = requireAccount(req.phoneNumber, 406);
    if (ctx.state.homeDcOf(account) !== ctx.dcId) throw migrate(ctx.state.homeDcOf(account));
    if (!req.phoneCodeHash) throw badRequest('PHONE_CODE_HASH_EMPTY');
    const pending = ctx.state.codes.get(req.phoneCodeHash);
    if (
      !pending ||
      pending.keyRef !== ctx.key.ref ||
      pending.phone !== account.phone ||
      ctx.clock.now() > pending.expiresAt
    ) {
      throw badRequest('PHONE_CODE_EXPIRED');
    }
    if (pending.nextType === undefined) throw new RpcFailure(406, 'SEND_CODE_UNAVAILABLE');
    pending.nextType = undefined;
    pending.expiresAt = ctx.clock.now() + ctx.state.settings.codeTtlMs;
    ctx.state.countCodeIssued(account.phone);
    return new Api.auth.SentCode({
      type: new Api.auth.SentCodeTypeCall({ length: account.loginCode.length }),
      phoneCodeHash: req.phoneCodeHash,
    });
  }),

  handler(Api.auth.SignIn, { requiresAuth: false }, (ctx, req) => {
    const account = requireAccount(req.phoneNumber, 406); // method/auth.sendCode, auth.signIn: 406
    if (ctx.state.homeDcOf(account) !== ctx.dcId) throw migrate(ctx.state.homeDcOf(account));
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
    const now = ctx.clock.now();
    if (pending.floodUntil !== undefined && now < pending.floodUntil) {
      throw new RpcFailure(420, `FLOOD_WAIT_${Math.ceil((pending.floodUntil - now) / 1000)}`);
    }
    if (req.phoneCode !== pending.code) {
      // The limit-th wrong code of this login starts a FLOOD_WAIT; the login itself stays valid.
      pending.wrongCodes += 1;
      if (pending.wrongCodes >= ctx.state.settings.wrongAttemptLimit) {
        pending.wrongCodes = 0;
        pending.floodUntil = now + ctx.state.settings.loginFloodSeconds * 1000;
      }
      throw badRequest('PHONE_CODE_INVALID');
    }
    if (account.authRestartAt === 'signIn' && ctx.state.firstAuthRestart(account.phone, 'signIn')) {
      // "Restart the authorization process": this login is over; a new auth.sendCode starts another.
      ctx.state.codes.delete(req.phoneCodeHash);
      throw authRestart();
    }
    if (!account.registered) {
      // api/auth.html: an unregistered number gets auth.authorizationSignUpRequired (layer ≥ 104;
      // older layers: 400 PHONE_NUMBER_UNOCCUPIED); the code stays valid for auth.signUp.
      return new Api.auth.AuthorizationSignUpRequired({});
    }
    ctx.state.codes.delete(req.phoneCodeHash);
    return completeLogin(ctx, account);
  }),

  handler(Api.auth.LogOut, { requiresAuth: true }, (ctx) => {
    ctx.state.unauthorize(ctx.key);
    return new Api.auth.LoggedOut({});
  }),
];
