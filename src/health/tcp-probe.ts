import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { DependencyTls } from '../config/tls-config';
import type { PeerCertificates } from '../tls/tls-certificates';
import { describeTlsFailure } from '../tls/tls-failure';
import { tlsOptionsForHost } from '../tls/tls-options';

/**
 * A protocol-level liveness probe for a TCP peer: connect, send a greeting, and check that the
 * reply starts as that protocol's does (Redis PING → "+PONG"; AMQP 0-9-1 header → a method frame).
 * With TLS (`rediss://`, `amqps://`) the handshake verifies the server as the real client does, a
 * failure names the dependency and the reason, and the server's certificate is recorded.
 */
export interface TcpProtocolProbe {
  greeting: Buffer;
  accept: (reply: Buffer) => boolean;
  defaultPort: number;
  /** Port of the TLS form (rediss://, amqps://) when the URL names none. */
  defaultTlsPort: number;
}

export interface ProbeTls {
  settings: DependencyTls;
  peers?: PeerCertificates;
}

export function tcpProbe(
  url: string,
  probe: TcpProtocolProbe,
  timeoutMs: number,
  tls?: ProbeTls,
): Promise<void> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  const secure = tls?.settings.enabled === true;
  const target = { host, port: port ? Number(port) : secure ? probe.defaultTlsPort : probe.defaultPort };
  const { greeting, accept } = probe;
  return new Promise((resolve, reject) => {
    let socket: Socket;
    if (secure) {
      const tlsSocket = tlsConnect({ ...target, ...tlsOptionsForHost(tls.settings, host) });
      tlsSocket.once('secureConnect', () => {
        tls.peers?.observe(tls.settings.dependency, tlsSocket);
        tlsSocket.write(greeting);
      });
      socket = tlsSocket;
    } else {
      socket = connect(target);
      socket.once('connect', () => socket.write(greeting));
    }
    let settled = false;
    const done = (error?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no answer within ${timeoutMs} ms`)));
    // `on`, not `once`: a refused TLS handshake can emit a second error (the peer's alert after our
    // own refusal), and an error without a listener would be thrown out of the process.
    socket.on('error', (error) => {
      const tlsMessage = secure ? describeTlsFailure(tls.settings, error) : undefined;
      done(tlsMessage ? new Error(tlsMessage) : error);
    });
    socket.once('data', (reply) => done(accept(reply) ? undefined : new Error('unexpected reply')));
  });
}

export const REDIS_PROBE: TcpProtocolProbe = {
  greeting: Buffer.from('PING\r\n'),
  // An unauthenticated server answers -NOAUTH: it is up, just needs the password from the URL.
  accept: (reply: Buffer) => reply.toString().startsWith('+PONG') || reply.toString().startsWith('-NOAUTH'),
  defaultPort: 6379,
  defaultTlsPort: 6379,
};

export const AMQP_PROBE: TcpProtocolProbe = {
  greeting: Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]),
  // Frame type 1 (method) carrying connection.start.
  accept: (reply: Buffer) => reply[0] === 1,
  defaultPort: 5672,
  defaultTlsPort: 5671,
};
