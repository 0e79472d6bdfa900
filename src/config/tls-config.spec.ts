import { rmSync } from 'node:fs';
import { inspect } from 'node:util';
import { makeTestCertificates, type TestCertificates } from '../../test/support/test-ca';
import { configProblems } from '../../test/support/config-problems';
import { loadConfig } from './app-config';

describe('TLS settings per dependency', () => {
  let certs: TestCertificates;
  let other: TestCertificates;
  beforeAll(() => {
    certs = makeTestCertificates('config-ca');
    other = makeTestCertificates('config-other');
  });
  afterAll(() => {
    for (const c of [certs, other]) rmSync(c.dir, { recursive: true, force: true });
  });

  it('is off with plain URLs and on, verified, with rediss://, https:// and amqps://', () => {
    const plain = loadConfig({ REDIS_URL: 'redis://r:6379', AMQP_URL: 'amqp://q' }, '/srv');
    expect(plain.tls.redis).toMatchObject({ enabled: false, insecure: false });
    expect(plain.tls.rabbitmq.enabled).toBe(false);
    const tls = loadConfig(
      {
        REDIS_URL: 'rediss://r:6380',
        AMQP_URL: 'amqps://q',
        VAULT_URL: 'https://vault:8200',
        VAULT_TOKEN: 't',
        REDIS_TLS_CA_FILE: certs.caCert,
        REDIS_TLS_CERT_FILE: certs.clientCert,
        REDIS_TLS_KEY_FILE: certs.clientKey,
        AMQP_TLS_SERVERNAME: 'broker.internal',
      },
      '/srv',
    );
    expect(tls.tls.redis).toMatchObject({ enabled: true, insecure: false, dependency: 'redis' });
    expect(tls.tls.redis.ca?.path).toBe(certs.caCert);
    expect(tls.tls.redis.ca?.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(tls.tls.redis.key?.pem().toString()).toContain('PRIVATE KEY');
    expect(tls.tls.rabbitmq).toMatchObject({ enabled: true, servername: 'broker.internal' });
    expect(tls.tls.vault).toMatchObject({ enabled: true, insecure: false });
  });

  it('never shows a client key in JSON, inspect or string form', () => {
    const config = loadConfig(
      { REDIS_URL: 'rediss://r', REDIS_TLS_CERT_FILE: certs.clientCert, REDIS_TLS_KEY_FILE: certs.clientKey },
      '/srv',
    );
    const key = config.tls.redis.key!.pem().toString();
    const body = key.split('\n')[1];
    expect(JSON.stringify(config)).not.toContain(body);
    expect(inspect(config, { depth: 10 })).not.toContain(body);
    expect(String(config.tls.redis.key)).toBe(`[private key ${certs.clientKey}]`);
  });

  it('names each bad file, a key that is not the certificate’s, and a half-configured pair', () => {
    expect(configProblems({ REDIS_URL: 'rediss://r', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      'REDIS_TLS_CA_FILE: cannot read /nonexistent/ca.pem (ENOENT)',
    ]);
    expect(configProblems({ AMQP_URL: 'amqps://q', AMQP_TLS_CA_FILE: certs.clientKey })).toEqual([
      `AMQP_TLS_CA_FILE: ${certs.clientKey} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    ]);
    expect(
      configProblems({
        AMQP_URL: 'amqps://q',
        AMQP_TLS_CERT_FILE: certs.clientCert,
        AMQP_TLS_KEY_FILE: certs.caCert,
      }),
    ).toEqual([`AMQP_TLS_KEY_FILE: ${certs.caCert} is not an unencrypted PEM private key`]);
    expect(
      configProblems({
        REDIS_URL: 'rediss://r',
        REDIS_TLS_CERT_FILE: certs.clientCert,
        REDIS_TLS_KEY_FILE: other.clientKey,
      }),
    ).toEqual([`REDIS_TLS_KEY_FILE: is not the private key of the certificate in REDIS_TLS_CERT_FILE`]);
    expect(configProblems({ REDIS_URL: 'rediss://r', REDIS_TLS_CERT_FILE: certs.clientCert })).toEqual([
      'REDIS_TLS_CERT_FILE: REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE must be set together (mutual TLS)',
    ]);
  });

  it('refuses TLS settings for a dependency whose URL is not the TLS form', () => {
    expect(configProblems({ REDIS_URL: 'redis://r', REDIS_TLS_CA_FILE: certs.caCert })).toEqual([
      'REDIS_TLS_CA_FILE: is set, but REDIS_URL is not a rediss:// URL (TLS is off)',
    ]);
    expect(configProblems({ VAULT_TLS_INSECURE: 'true' })).toEqual([
      'VAULT_TLS_INSECURE: is set, but VAULT_URL is not a https:// URL (TLS is off)',
    ]);
    // An explicit "false" changes nothing and is fine.
    expect(configProblems({ REDIS_URL: 'redis://r', REDIS_TLS_INSECURE: 'false' })).toEqual([]);
    expect(configProblems({ REDIS_URL: 'rediss://r', REDIS_TLS_INSECURE: 'maybe' })).toEqual([
      'REDIS_TLS_INSECURE: must be true or false, got "maybe"',
    ]);
  });

  it('turns verification off only with *_TLS_INSECURE=true, which production refuses', () => {
    const dev = loadConfig({ REDIS_URL: 'rediss://r', REDIS_TLS_INSECURE: 'true' }, '/srv');
    expect(dev.tls.redis.insecure).toBe(true);
    const production = {
      NODE_ENV: 'production',
      ALLOW_DEVELOPMENT_DEFAULTS: 'true',
      REDIS_URL: 'rediss://r',
      REDIS_TLS_INSECURE: 'true',
      AMQP_URL: 'amqps://q',
      AMQP_TLS_INSECURE: 'true',
    };
    expect(configProblems(production)).toEqual([
      'REDIS_TLS_INSECURE: turning TLS verification off is refused with NODE_ENV=production',
      'AMQP_TLS_INSECURE: turning TLS verification off is refused with NODE_ENV=production',
    ]);
  });

  it('PostgreSQL: checks sslrootcert/sslcert, and unverified sslmodes need DATABASE_TLS_INSECURE (not in production)', () => {
    const url = `postgresql://u@db:5432/x?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.caCert)}`;
    const config = loadConfig({ DATABASE_URL: url }, '/srv');
    expect(config.tls.database).toMatchObject({ enabled: true, insecure: false });
    expect(config.tls.database.ca?.path).toBe(certs.caCert);
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db/x' }, '/srv').tls.database.enabled).toBe(false);
    expect(
      configProblems({ DATABASE_URL: 'postgresql://u@db/x?sslmode=verify-full&sslrootcert=/nope.pem' }),
    ).toEqual(['DATABASE_URL: sslrootcert: cannot read /nope.pem (ENOENT)']);
    expect(configProblems({ DATABASE_URL: 'postgresql://u@db/x?sslmode=no-verify' })).toEqual([
      'DATABASE_URL: sslmode=no-verify does not verify the server; use sslmode=verify-full or set DATABASE_TLS_INSECURE=true',
    ]);
    expect(
      configProblems({ DATABASE_URL: 'postgresql://u@db/x?sslmode=require&uselibpqcompat=true' }),
    ).toHaveLength(1);
    // pg treats a bare sslmode=require as verify-full: verified, allowed.
    expect(configProblems({ DATABASE_URL: 'postgresql://u@db/x?sslmode=require' })).toEqual([]);
    expect(
      loadConfig(
        { DATABASE_URL: 'postgresql://u@db/x?sslmode=no-verify', DATABASE_TLS_INSECURE: 'true' },
        '/srv',
      ).tls.database.insecure,
    ).toBe(true);
    expect(
      configProblems({
        NODE_ENV: 'production',
        ALLOW_DEVELOPMENT_DEFAULTS: 'true',
        DATABASE_URL: 'postgresql://u@db/x?sslmode=no-verify',
        DATABASE_TLS_INSECURE: 'true',
      }),
    ).toEqual(['DATABASE_TLS_INSECURE: turning TLS verification off is refused with NODE_ENV=production']);
  });
});
