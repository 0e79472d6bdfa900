import { createServer, type Server } from 'node:net';
import StandaloneConnector from 'ioredis/built/connectors/StandaloneConnector';
import { SocketErrorTolerantConnector } from './redis-connector';

describe('SocketErrorTolerantConnector', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const twoErrors = async (connector: StandaloneConnector) => {
    const stream = await connector.connect(() => undefined);
    try {
      stream.emit('error', new Error('certificate refused'));
      stream.emit('error', new Error('tlsv1 alert decode error'));
    } finally {
      stream.destroy();
    }
  };

  it('ioredis’s own connector lets a second socket error escape (the failure it guards against)', async () => {
    await expect(twoErrors(new StandaloneConnector({ host: '127.0.0.1', port }))).rejects.toThrow(
      'tlsv1 alert decode error',
    );
  });

  it('keeps a listener for later errors, so the second one is not thrown', async () => {
    await expect(
      twoErrors(new SocketErrorTolerantConnector({ host: '127.0.0.1', port })),
    ).resolves.toBeUndefined();
  });
});
