import StandaloneConnector, {
  type StandaloneConnectionOptions,
} from 'ioredis/built/connectors/StandaloneConnector';
import type { ErrorEmitter } from 'ioredis/built/connectors/AbstractConnector';
import type { NetStream } from 'ioredis/built/types';

/**
 * ioredis's own connector, with one more `error` listener on each socket. ioredis listens with
 * `once('error')`, and a refused TLS handshake can emit a second error on the same socket (our
 * verification failure, then the server's alert: "tlsv1 alert decode error"); with no listener left
 * Node throws it out of the process (redis/ioredis#961, #962, not merged). ioredis still handles
 * the first error and reconnects as before; the later ones are the same failure and are dropped.
 */
export class SocketErrorTolerantConnector extends StandaloneConnector {
  /** ioredis passes its whole options object (`ConnectorConstructor` types it `unknown`). */
  constructor(options: unknown) {
    super(options as StandaloneConnectionOptions);
  }

  override async connect(emitter: ErrorEmitter): Promise<NetStream> {
    const stream = await super.connect(emitter);
    stream.on('error', () => undefined);
    return stream;
  }
}
