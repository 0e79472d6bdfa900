import { Registry } from 'prom-client';
import { loadConfig } from '../config/app-config';
import { makeTestCertificates } from '../../test/support/test-ca';
import { rmSync } from 'node:fs';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { PeerCertificates, registerTlsExpiryMetric } from './tls-certificates';

describe('dependency_tls_cert_expiry_seconds', () => {
  const certs = makeTestCertificates('metric-ca');
  afterAll(() => rmSync(certs.dir, { recursive: true, force: true }));

  it('reports the configured CA and client certificates and the server’s last presented one', async () => {
    const config = loadConfig(
      {
        REDIS_URL: 'rediss://127.0.0.1',
        REDIS_TLS_CA_FILE: certs.caCert,
        REDIS_TLS_CERT_FILE: certs.clientCert,
        REDIS_TLS_KEY_FILE: certs.clientKey,
      },
      '/srv',
    );
    const registry = new Registry();
    const peers = new PeerCertificates();
    const now = config.tls.redis.ca!.notAfter.getTime() - 3600_000;
    registerTlsExpiryMetric(registry, config.tls, peers, () => now);

    const server = createServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const socket: TLSSocket = await new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, ca: readFileSync(certs.caCert) }, () => resolve(s));
      s.once('error', reject);
    });
    peers.observe('redis', socket);
    socket.destroy();
    server.close();

    const text = await registry.metrics();
    expect(text).toContain('dependency_tls_cert_expiry_seconds{dependency="redis",certificate="ca"} 3600');
    expect(text).toMatch(/dependency_tls_cert_expiry_seconds\{dependency="redis",certificate="client"\} \d+/);
    expect(text).toMatch(/dependency_tls_cert_expiry_seconds\{dependency="redis",certificate="server"\} \d+/);
    expect(text).not.toContain('dependency="vault"');
  });
});
