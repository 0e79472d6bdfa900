import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

const DRAINING = Symbol('drainingUnreadBody');
type Draining = IncomingMessage & { [DRAINING]?: true };

/**
 * A response sent before the request's body was read — a 401 on an upload refused before its body
 * (authenticate-before-body.hook.ts), a 413 for a Content-Length over the limit, any refusal of a
 * handler that stopped reading — used to close the connection at once. The client is still writing:
 * the kernel answers its bytes with a reset, and Node's fetch or a browser reports a network error
 * (EPIPE, ECONNRESET) instead of the status.
 *
 * Instead the connection stays open and the rest of the body is read and discarded, up to `maxBytes`
 * (the largest request the service accepts, so any honest client is covered); past that the socket is
 * closed. The time it may take stays bounded by HTTP_REQUEST_TIMEOUT_MS.
 */
export function drainUnreadBodies(fastify: FastifyInstance, maxBytes: number): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw as Draining;
    if (!raw.complete && !raw[DRAINING] && announcesBody(raw)) {
      // Fastify asks to close after a refused body; read to its end instead, and keep the framing.
      reply.removeHeader('connection');
      drain(raw, maxBytes);
    }
    done(null, payload);
  });
}

function drain(raw: Draining, maxBytes: number): void {
  raw[DRAINING] = true;
  let discarded = 0;
  raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxBytes) raw.socket.destroy();
  });
  // A parser that stopped reading may have unpiped the stream and paused it.
  raw.on('error', () => undefined);
  raw.resume();
}

function announcesBody(raw: IncomingMessage): boolean {
  const { headers } = raw;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}
