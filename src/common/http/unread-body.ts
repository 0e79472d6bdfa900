import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

const DRAINING = Symbol('drainingUnreadBody');
type Draining = IncomingMessage & { [DRAINING]?: true };

export interface DrainLimits {
  maxBytes: number;
  idleMs: number;
  maxMs: number;
}

/**
 * A response sent before the request's body was read — a 401 on an upload refused before its body
 * (authenticate-before-body.hook.ts), a 413 for a Content-Length over the limit, any refusal of a
 * handler that stopped reading — used to close the connection at once. The client is still writing:
 * the kernel answers its bytes with a reset, and Node's fetch or a browser reports a network error
 * (EPIPE, ECONNRESET) instead of the status.
 *
 * Instead the connection stays open and the rest of the body is read and discarded — bounded, so an
 * anonymous client still cannot hold the socket: at most `maxBytes` (the largest request the service
 * accepts, so any honest client is covered), no pause longer than `idleMs` (a client that stopped
 * sending is cut at once, as before) and at most `maxMs` in all (below HTTP_REQUEST_TIMEOUT_MS, whose
 * 408 would otherwise follow the answer already sent). Past a bound the socket is closed.
 */
export function drainUnreadBodies(fastify: FastifyInstance, limits: DrainLimits): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw as Draining;
    if (!raw.complete && !raw.readableEnded && !raw[DRAINING] && announcesBody(raw)) {
      // Fastify asks to close after a refused body; read to its end instead, and keep the framing.
      reply.removeHeader('connection');
      drain(raw, limits);
    }
    done(null, payload);
  });
}

function drain(raw: Draining, { maxBytes, idleMs, maxMs }: DrainLimits): void {
  raw[DRAINING] = true;
  let discarded = 0;
  const cut = () => {
    clearTimeout(idle);
    clearTimeout(whole);
    // Destroying an unfinished request closes its socket.
    raw.destroy();
  };
  const idle = setTimeout(cut, idleMs).unref();
  const whole = setTimeout(cut, maxMs).unref();
  raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxBytes) cut();
    else idle.refresh();
  });
  raw.once('end', () => {
    clearTimeout(idle);
    clearTimeout(whole);
  });
  raw.once('close', () => {
    clearTimeout(idle);
    clearTimeout(whole);
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
