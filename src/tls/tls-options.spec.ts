import { PrivateKeyFile, type DependencyTls } from '../config/tls-config';
import { amqpSocketOptions, redisTlsOptions, tlsConnectionOptions, tlsOptionsForHost } from './tls-options';

const settings = (over: Partial<DependencyTls> = {}): DependencyTls => ({
  dependency: 'rabbitmq',
  name: 'RabbitMQ',
  urlVariable: 'AMQP_URL',
  enabled: true,
  insecure: false,
  ...over,
});

describe('TLS option builders', () => {
  const ca = { path: '/ca.pem', pem: Buffer.from('ca'), notAfter: new Date() };
  const cert = { path: '/c.pem', pem: Buffer.from('cert'), notAfter: new Date() };
  const key = new PrivateKeyFile('/k.pem', Buffer.from('key'));

  it('verify by default (rejectUnauthorized, Node’s host check), TLS 1.2 at least, no client certificate', () => {
    const options = tlsConnectionOptions(settings());
    expect(options).toEqual({ minVersion: 'TLSv1.2', rejectUnauthorized: true });
    expect(options.checkServerIdentity).toBeUndefined(); // Node's tls.checkServerIdentity applies
  });

  it('carries the CA, the client pair and the server name', () => {
    expect(tlsConnectionOptions(settings({ ca, cert, key, servername: 'broker.internal' }))).toEqual({
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      ca: ca.pem,
      cert: cert.pem,
      key: key.pem(),
      servername: 'broker.internal',
    });
  });

  it('insecure turns both checks off', () => {
    const options = tlsConnectionOptions(settings({ insecure: true }));
    expect(options.rejectUnauthorized).toBe(false);
    expect(options.checkServerIdentity?.('any', {} as never)).toBeUndefined();
  });

  it('SNI for host names only; nothing for plain URLs', () => {
    expect(tlsOptionsForHost(settings(), 'redis.internal').servername).toBe('redis.internal');
    expect(tlsOptionsForHost(settings(), '10.0.0.5').servername).toBeUndefined();
    expect(tlsOptionsForHost(settings({ servername: 'x' }), 'redis.internal').servername).toBe('x');
    expect(amqpSocketOptions(settings({ enabled: false }))).toEqual({});
    expect(redisTlsOptions(settings({ enabled: false }))).toBeUndefined();
    expect(redisTlsOptions(settings())).toMatchObject({ rejectUnauthorized: true });
  });
});
