import { Api } from 'telegram';
import { badRequest } from '../errors';
import { buildConfig } from '../tl-builders';
import { toLong } from '../tl-codec';
import { handler, type HandlerDef } from './registry';

/** Connection plumbing: invoke wrappers, config, pings. None needs a signed-in key. */

const open = { requiresAuth: false };

export const serviceHandlers: readonly HandlerDef[] = [
  handler(Api.InvokeWithLayer, open, (ctx, req) => ctx.dispatch(req.query)),
  handler(Api.InvokeWithoutUpdates, open, (ctx, req) => ctx.dispatch(req.query)),
  handler(Api.InvokeAfterMsg, open, (ctx, req) => ctx.dispatch(req.query)),
  handler(Api.InvokeAfterMsgs, open, (ctx, req) => ctx.dispatch(req.query)),
  handler(Api.InitConnection, open, (ctx, req) => {
    // The api_id every connection announces must be the known application's (method/initConnection).
    if (req.apiId !== ctx.state.settings.app.apiId) throw badRequest('CONNECTION_API_ID_INVALID');
    ctx.key.client = {
      apiId: req.apiId,
      deviceModel: req.deviceModel,
      systemVersion: req.systemVersion,
      appVersion: req.appVersion,
    };
    return ctx.dispatch(req.query);
  }),
  handler(Api.help.GetConfig, open, (ctx) =>
    buildConfig(ctx.dcId, ctx.clock.nowSeconds(), ctx.state.dcEndpoints),
  ),
  handler(
    Api.help.GetNearestDc,
    open,
    (ctx) => new Api.NearestDc({ country: 'NL', thisDc: ctx.dcId, nearestDc: ctx.dcId }),
  ),
  handler(Api.Ping, open, (_ctx, req) => new Api.Pong({ msgId: toLong(0n), pingId: req.pingId })),
  handler(
    Api.PingDelayDisconnect,
    open,
    (_ctx, req) => new Api.Pong({ msgId: toLong(0n), pingId: req.pingId }),
  ),
];
