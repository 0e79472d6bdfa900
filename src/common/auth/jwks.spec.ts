import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { DependencyUnavailableError, UnauthorizedError } from '../errors/app-error';
import { JwksKeyStore } from './jwks';

function jwk(publicKey: KeyObject, kid: string): Record<string, unknown> {
  return { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' };
}

describe('JwksKeyStore', () => {
  let server: Server;
  let url: string;
  let keys: Record<string, unknown>[] = [];
  let requests = 0;
  let failing = false;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      if (failing) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests = 0;
    failing = false;
  });

  it('finds keys by kid, caches them, and refreshes once on an unknown kid (rotation)', async () => {
    const a = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const b = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keys = [jwk(a.publicKey, 'a')];
    const store = new JwksKeyStore(url, 1000, 0);
    expect((await store.key('a')).asymmetricKeyType).toBe('rsa');
    await store.key('a');
    expect(requests).toBe(1);
    keys = [jwk(a.publicKey, 'a'), jwk(b.publicKey, 'b')];
    expect((await store.key('b')).asymmetricKeyType).toBe('ec');
    expect(requests).toBe(2);
    await expect(store.key('zzz')).rejects.toThrow(UnauthorizedError);
  });

  it('does not refetch for unknown kids more often than the minimum interval', async () => {
    keys = [jwk(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, 'only')];
    const store = new JwksKeyStore(url, 1000, 60_000);
    await store.key('only');
    for (let i = 0; i < 5; i++) await expect(store.key(`forged-${i}`)).rejects.toThrow(UnauthorizedError);
    expect(requests).toBe(1);
  });

  it('an unreachable provider is a 503 until keys are known, then the cached keys keep working', async () => {
    failing = true;
    const store = new JwksKeyStore(url, 1000, 0);
    await expect(store.key('x')).rejects.toThrow(DependencyUnavailableError);
    failing = false;
    keys = [jwk(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, 'x')];
    await store.key('x');
    failing = true;
    await expect(store.key('x')).resolves.toBeDefined();
  });
});
