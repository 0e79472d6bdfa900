import { connect } from 'node:net';

export interface RawExchange {
  /** Everything the server wrote. */
  response: string;
  /** The status code of the first response line, if any arrived. */
  status?: number;
  /** The parsed JSON body of that response, if it had one. */
  body?: Record<string, unknown>;
  /** Whether the server closed the socket (else we gave up after `waitMs`). */
  closedByServer: boolean;
  elapsedMs: number;
}

/**
 * Writes `chunks` to the server over a plain TCP socket, exactly as given (malformed, partial or
 * oversized requests included), and waits until the server closes the socket or `waitMs` pass.
 */
export function rawExchange(port: number, chunks: string[], waitMs = 5000): Promise<RawExchange> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
      const rawBody = response.split('\r\n\r\n')[1];
      let body: Record<string, unknown> | undefined;
      try {
        body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      resolve({
        response,
        status: status ? Number(status) : undefined,
        body,
        closedByServer,
        elapsedMs: Date.now() - started,
      });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (data) => (response += data.toString()));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}
