import fastifyWebsocket from '@fastify/websocket';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { errorBody } from '../../common/errors/error-body';
import { HTTP_STATUS_BY_KIND } from '../../common/errors/error-http';
import { WsRegistry } from './ws-registry';

export const WS_PATH = '/api/v1/ws';
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/**
 * Mounts /api/v1/ws (RFC 6455, through @fastify/websocket on ws) before the app initialises. The
 * token never travels in the URL: Sec-WebSocket-Protocol `bearer, <token>` (the server answers
 * `bearer`) or a first `auth` message. A plain GET gets a 400 saying it needs an Upgrade.
 */
export async function registerEventsSocket(app: NestFastifyApplication): Promise<void> {
  const registry = app.get(WsRegistry);
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: MAX_CLIENT_MESSAGE_BYTES,
      handleProtocols: (protocols: Set<string>) => (protocols.has('bearer') ? 'bearer' : false),
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.route({
    method: 'GET',
    url: WS_PATH,
    handler: (request, reply) => {
      const status = HTTP_STATUS_BY_KIND.invalid;
      void reply
        .code(status)
        .send(
          errorBody(
            status,
            'upgrade_required',
            'This endpoint speaks WebSocket: send an Upgrade request',
            request.id,
          ),
        );
    },
    wsHandler: (socket, request) => registry.accept(socket, request),
  });
}
