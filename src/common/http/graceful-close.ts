import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Longest wait for busy keep-alive connections to take their last answer before the listener closes. */
export const KEEP_ALIVE_TURNOVER_MS = 1000;

export interface GracefulCloseOptions {
  /** Marks every response from now on `Connection: close` (create-app.ts markClosing). */
  markClosing(): void;
  /** In-flight requests may take this long once the listener is closed; then every socket is cut. */
  timeoutMs: number;
  turnoverMs?: number;
}

/**
 * Closes the HTTP side first, with the rest of the application still up, so every request already
 * received is answered:
 * 1. every response says `Connection: close`; a keep-alive client gets its next request answered and
 *    then its connection closes (bounded by KEEP_ALIVE_TURNOVER_MS, ended early once none is open),
 *    instead of having an idle-looking connection cut while its next request is on the way;
 * 2. Fastify's close (public API): new connections are refused, a request still arriving on an open
 *    connection is answered 503 (`return503OnClosing`), idle ones are closed, in-flight requests
 *    finish — all of them within `timeoutMs`, then the remaining sockets are closed;
 * 3. only then Nest's shutdown hooks (database pool, queue, WebSocket registry...).
 */
export async function closeGracefully(
  app: NestFastifyApplication,
  options: GracefulCloseOptions,
): Promise<void> {
  const server = app.getHttpServer() as Server;
  options.markClosing();
  await turnover(server, Math.min(options.turnoverMs ?? KEEP_ALIVE_TURNOVER_MS, options.timeoutMs));
  const force = setTimeout(() => server.closeAllConnections(), options.timeoutMs);
  force.unref();
  try {
    await app.getHttpAdapter().close();
  } finally {
    clearTimeout(force);
  }
  await app.close();
}

async function turnover(server: Server, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && (await openConnections(server)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}
