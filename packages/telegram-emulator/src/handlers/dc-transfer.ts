import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { EMULATOR_DC_IDS, lookupAccount } from '../accounts';
import { badRequest } from '../errors';
import { buildAuthorization } from '../tl-builders';
import { randomLong, toLong } from '../tl-codec';
import { signedInAccount } from './common';
import { handler, type HandlerDef } from './registry';

/** Carrying a signed-in user to another DC's auth key (GramJS's exported senders: _connectSender). */

export const dcTransferHandlers: readonly HandlerDef[] = [
  handler(Api.auth.ExportAuthorization, { requiresAuth: true }, (ctx, req) => {
    const account = signedInAccount(ctx);
    if (!EMULATOR_DC_IDS.includes(req.dcId) || req.dcId === ctx.dcId) throw badRequest('DC_ID_INVALID');
    const id = randomLong();
    const bytes = randomBytes(128);
    ctx.state.exportedAuthorizations.set(id.toString(), {
      phone: account.phone,
      dcId: req.dcId,
      bytes,
      used: false,
    });
    return new Api.auth.ExportedAuthorization({ id: toLong(id), bytes });
  }),

  handler(Api.auth.ImportAuthorization, { requiresAuth: false }, (ctx, req) => {
    const exported = ctx.state.exportedAuthorizations.get(req.id.toString());
    if (!exported || exported.used || exported.dcId !== ctx.dcId || !exported.bytes.equals(req.bytes)) {
      throw badRequest('AUTH_BYTES_INVALID');
    }
    const account = lookupAccount(exported.phone);
    if (!account) throw badRequest('AUTH_BYTES_INVALID');
    exported.used = true;
    ctx.state.authorize(ctx.key, account);
    return buildAuthorization(account, ctx.clock.nowSeconds());
  }),
];
