import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from './authenticator';
import type { PublicRouteConfig } from './public.decorator';

/**
 * Nest's guards run after Fastify has read and parsed the body, so an anonymous client could make
 * the service buffer (and wait for) a body it would then refuse. A request that announces a body
 * on a route that needs a token is authenticated here, before a byte of its body is read. After the
 * refusal the body is read and discarded, never buffered (unread-body.ts, bounded), so the client
 * sees the 401 rather than a connection reset while it is still writing.
 */
export function authenticateBeforeBody(fastify: FastifyInstance, authenticator: Authenticator): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (!announcesBody(request) || (request.routeOptions.config as PublicRouteConfig | undefined)?.public)
      return done();
    const refuse = (error: Error) => done(error);
    let pending: void | Promise<void>;
    try {
      pending = authenticator.authenticate(request);
    } catch (error) {
      return refuse(error as Error);
    }
    if (!pending) return done();
    pending.then(() => done(), refuse);
  });
}

function announcesBody(request: FastifyRequest): boolean {
  const { headers } = request;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}
