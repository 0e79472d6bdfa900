import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { lookupAccount } from '../accounts';
import { badRequest } from '../errors';
import { acceptQrToken } from '../qr-tokens';
import { toLong } from '../tl-codec';
import type { QrToken } from '../world-state';
import { completeLogin, signedInAccount } from './common';
import { handler, type HandlerDef, type RequestContext } from './registry';

/**
 * QR login. ExportLoginToken answers the key's live token until it is scanned; after the scan the next export
 * answers LoginTokenSuccess (home DC), LoginTokenMigrateTo (other DC; then ImportLoginToken there) or
 * SESSION_PASSWORD_NEEDED (2FA).
 */

const seconds = (ms: number): number => Math.floor(ms / 1000);

function issueToken(
  ctx: RequestContext,
  kind: QrToken['kind'],
  dcId: number,
  scannedBy?: string,
  exceptIds?: readonly string[],
): QrToken {
  const token: QrToken = {
    exceptIds,
    token: randomBytes(32),
    kind,
    dcId,
    keyRef: kind === 'login' ? ctx.key.ref : undefined,
    expiresAt: ctx.clock.now() + ctx.state.settings.qrTokenTtlMs,
    scannedBy,
    consumed: false,
  };
  ctx.state.qrTokens.set(token.token.toString('hex'), token);
  return token;
}

/** Finishes a scanned token on this key: migrate to the user's DC, or sign in (maybe via 2FA). */
function redeem(ctx: RequestContext, token: QrToken, phone: string): Api.auth.TypeLoginToken {
  const account = lookupAccount(phone);
  if (!account) throw badRequest('AUTH_TOKEN_INVALID');
  token.consumed = true;
  if (account.homeDcId !== ctx.dcId) {
    const moved = issueToken(ctx, 'migrate', account.homeDcId, account.phone);
    return new Api.auth.LoginTokenMigrateTo({ dcId: account.homeDcId, token: moved.token });
  }
  return new Api.auth.LoginTokenSuccess({ authorization: completeLogin(ctx, account) });
}

function answerForKey(ctx: RequestContext, exceptIds?: readonly string[]): Api.auth.TypeLoginToken {
  const current = ctx.key.qrTokenHex === undefined ? undefined : ctx.state.qrTokens.get(ctx.key.qrTokenHex);
  if (current && !current.consumed && current.scannedBy !== undefined) {
    return redeem(ctx, current, current.scannedBy);
  }
  const live = current && !current.consumed && current.expiresAt > ctx.clock.now() ? current : undefined;
  const token = live ?? issueToken(ctx, 'login', ctx.dcId, undefined, exceptIds);
  ctx.key.qrTokenHex = token.token.toString('hex');
  return new Api.auth.LoginToken({ token: token.token, expires: seconds(token.expiresAt) });
}

export const qrLoginHandlers: readonly HandlerDef[] = [
  handler(Api.auth.ExportLoginToken, { requiresAuth: false }, (ctx, req) => {
    if (!ctx.state.knowsApp(req.apiId, req.apiHash)) throw badRequest('API_ID_INVALID');
    return answerForKey(
      ctx,
      req.exceptIds.map((id) => id.toString()),
    );
  }),

  handler(Api.auth.ImportLoginToken, { requiresAuth: false }, (ctx, req) => {
    const token = ctx.state.qrTokens.get(req.token.toString('hex'));
    if (!token) throw badRequest('AUTH_TOKEN_INVALID');
    if (token.kind === 'login') {
      if (token.keyRef !== ctx.key.ref) throw badRequest('AUTH_TOKEN_INVALID');
      return answerForKey(ctx);
    }
    if (token.consumed) throw badRequest('AUTH_TOKEN_ALREADY_ACCEPTED');
    if (ctx.clock.now() > token.expiresAt) throw badRequest('AUTH_TOKEN_EXPIRED');
    if (token.dcId !== ctx.dcId)
      return new Api.auth.LoginTokenMigrateTo({ dcId: token.dcId, token: token.token });
    return redeem(ctx, token, token.scannedBy ?? '');
  }),

  /** The scanning side: a signed-in app accepts the token shown by the new device. */
  handler(Api.auth.AcceptLoginToken, { requiresAuth: true }, (ctx, req) => {
    const account = signedInAccount(ctx);
    const scanned = acceptQrToken(ctx.state, req.token, account.phone);
    const now = ctx.clock.nowSeconds();
    const app = scanned.client;
    return new Api.Authorization({
      current: false,
      officialApp: false,
      passwordPending: account.hasPassword,
      hash: toLong(scanned.token.readBigInt64LE(0)),
      deviceModel: app?.deviceModel ?? 'Unknown',
      platform: 'emulator',
      systemVersion: app?.systemVersion ?? '',
      apiId: app?.apiId ?? 0,
      appName: 'GramJS',
      appVersion: app?.appVersion ?? '',
      dateCreated: now,
      dateActive: now,
      ip: '127.0.0.1',
      country: 'Netherlands',
      region: '',
    });
  }),
];
