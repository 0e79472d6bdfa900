import { connect } from 'node:net';

/**
 * A protocol-level liveness probe for a TCP peer: connect, send a greeting, and check that the
 * reply starts as that protocol's does (Redis PING → "+PONG"; AMQP 0-9-1 header → a method frame).
 */
export interface TcpProtocolProbe {
  greeting: Buffer;
  accept: (reply: Buffer) => boolean;
  defaultPort: number;
}

export function tcpProbe(url: string, probe: TcpProtocolProbe, timeoutMs: number): Promise<void> {
  const { hostname, port } = new URL(url);
  const { greeting, accept } = probe;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: port ? Number(port) : probe.defaultPort });
    const done = (error?: Error) => {
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', (error) => done(error));
    socket.once('connect', () => socket.write(greeting));
    socket.once('data', (reply) => done(accept(reply) ? undefined : new Error('unexpected reply')));
  });
}

export const REDIS_PROBE: TcpProtocolProbe = {
  greeting: Buffer.from('PING\r\n'),
  // An unauthenticated server answers -NOAUTH: it is up, just needs the password from the URL.
  accept: (reply: Buffer) => reply.toString().startsWith('+PONG') || reply.toString().startsWith('-NOAUTH'),
  defaultPort: 6379,
};

export const AMQP_PROBE: TcpProtocolProbe = {
  greeting: Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]),
  // Frame type 1 (method) carrying connection.start.
  accept: (reply: Buffer) => reply[0] === 1,
  defaultPort: 5672,
};
