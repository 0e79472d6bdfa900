import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import Redis from 'ioredis';
import { redisTlsOptions } from '../src/tls/tls-options';
import { bearer, startTestApp, type TestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { makeTestCertificates, type TestCertificates } from './support/test-ca';
import { startTlsRedis, type TlsRedis } from './support/tls-redis';

const ACCOUNTS = '/api/v1/telegram/accounts';

/**
 * Redis over verified TLS (`rediss://` + REDIS_TLS_*), against Redis servers of the test's own
 * (`--tls-port`, CA and certificates made at run time): the rate-limit counters and the health probe
 * go over TLS; a foreign CA, a wrong host name and a missing client certificate are refused, naming
 * Redis and the reason.
 */
describe('Redis over verified TLS (rediss://, REDIS_TLS_*)', () => {
  let certs: TestCertificates;
  let foreign: TestCertificates;
  let plain: TlsRedis;
  let otherHost: TlsRedis;
  let mutual: TlsRedis;
  let db: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    certs = makeTestCertificates('redis-ca');
    foreign = makeTestCertificates('foreign-ca');
    const server = { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert };
    [plain, otherHost, mutual, db] = await Promise.all([
      startTlsRedis({ ...server, authClients: 'no' }),
      startTlsRedis({ ...server, cert: certs.otherHostCert, key: certs.otherHostKey, authClients: 'no' }),
      startTlsRedis({ ...server, authClients: 'yes' }),
      createTestDatabase(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all([plain, otherHost, mutual].map((r) => r?.stop()));
    await db?.drop();
    for (const c of [certs, foreign]) if (c) rmSync(c.dir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>) => {
    const t = await startTestApp(db.url, {
      REDIS_KEY_PREFIX: `tls-${randomBytes(4).toString('hex')}:`,
      RATE_LIMIT_API_LIMIT: '2',
      ...env,
    });
    apps.push(t);
    return t;
  };
  const redisHealth = async (t: TestApp) =>
    (
      JSON.parse((await t.inject('/api/v1/health/detailed')).body) as {
        components: { redis: { status: string; error?: string; tls?: boolean } };
      }
    ).components.redis;

  it('counts rate limits in Redis over TLS and reports the certificates’ expiry', async () => {
    const t = await start({ REDIS_URL: plain.url, REDIS_TLS_CA_FILE: certs.caCert });
    expect(await redisHealth(t)).toMatchObject({ status: 'healthy', tls: true });
    const headers = bearer(t.token(41));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.inject({ url: ACCOUNTS, headers })).statusCode);
    expect(statuses).toEqual([200, 200, 429]);

    // The counters are in that Redis: read them with the same TLS options the service uses.
    const client = new Redis(plain.url, { tls: redisTlsOptions(t.config.tls.redis), lazyConnect: true });
    await client.connect();
    // The storage's keys are `{<prefix>ratelimit:<key>:<throttler>}:hits` (a cluster hash tag).
    const keys = await client.keys(`{${t.config.redisKeyPrefix}*`);
    const socket = (client as unknown as { stream: TLSSocket }).stream;
    console.log(
      `Measured: ioredis (service options) negotiated ${socket.getProtocol()} ${socket.getCipher().standardName}`,
    );
    expect(socket.getProtocol()).toBe('TLSv1.3');
    client.disconnect();
    expect(keys.length).toBeGreaterThan(0);

    const metrics = (await t.inject('/metrics')).body;
    const expiry = (certificate: string) =>
      Number(
        metrics.match(
          new RegExp(
            `dependency_tls_cert_expiry_seconds\\{dependency="redis",certificate="${certificate}"\\} (\\S+)`,
          ),
        )?.[1],
      );
    // The test certificates live two days.
    for (const certificate of ['ca', 'server']) {
      expect(expiry(certificate)).toBeGreaterThan(86_400);
      expect(expiry(certificate)).toBeLessThanOrEqual(2 * 86_400);
    }
  });

  it('refuses a server whose certificate does not chain to the configured CA, naming Redis and the reason', async () => {
    const t = await start({ REDIS_URL: plain.url, REDIS_TLS_CA_FILE: foreign.caCert });
    const health = await redisHealth(t);
    expect(health.status).toBe('unhealthy');
    expect(health.error).toMatch(
      /^Redis \(REDIS_URL\): TLS connection failed: the server's certificate does not chain to the CA in REDIS_TLS_CA_FILE \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)/,
    );
    // Rate limits fail open, and the log names the TLS problem.
    expect((await t.inject({ url: ACCOUNTS, headers: bearer(t.token(42)) })).statusCode).toBe(200);
    await waitForLog(
      t,
      /Redis \(REDIS_URL\): TLS connection failed: the server's certificate does not chain/,
    );
    // Without a CA file Node's public CAs apply: a private CA is not one of them.
    const defaults = await start({ REDIS_URL: plain.url });
    expect((await redisHealth(defaults)).error).toMatch(/does not chain to Node's default CAs/);
  });

  it('refuses a certificate that names another host', async () => {
    const t = await start({ REDIS_URL: otherHost.url, REDIS_TLS_CA_FILE: certs.caCert });
    const health = await redisHealth(t);
    expect(health.status).toBe('unhealthy');
    expect(health.error).toMatch(
      /^Redis \(REDIS_URL\): TLS connection failed: the server's certificate does not name the host this service connects to: IP: \[address\] is not in the cert's list.*\(ERR_TLS_CERT_ALTNAME_INVALID\)/,
    );
    // REDIS_TLS_SERVERNAME names the host the certificate must carry.
    const named = await start({
      REDIS_URL: otherHost.url,
      REDIS_TLS_CA_FILE: certs.caCert,
      REDIS_TLS_SERVERNAME: 'other.example',
    });
    expect(await redisHealth(named)).toMatchObject({ status: 'healthy' });
  });

  it('mutual TLS: works with the client certificate, refused without it', async () => {
    const t = await start({
      REDIS_URL: mutual.url,
      REDIS_TLS_CA_FILE: certs.caCert,
      REDIS_TLS_CERT_FILE: certs.clientCert,
      REDIS_TLS_KEY_FILE: certs.clientKey,
    });
    expect(await redisHealth(t)).toMatchObject({ status: 'healthy', tls: true });
    // The health probe has its own connection: the storage's may still be in its handshake on a busy
    // machine (requests meanwhile fail open, uncounted). A fresh user (bucket) per try.
    let statuses: number[] = [];
    for (let user = 43; user < 63; user++) {
      const headers = bearer(t.token(user));
      statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await t.inject({ url: ACCOUNTS, headers })).statusCode);
      if (statuses[2] === 429) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(statuses).toEqual([200, 200, 429]);
    const metrics = (await t.inject('/metrics')).body;
    expect(metrics).toMatch(
      /dependency_tls_cert_expiry_seconds\{dependency="redis",certificate="client"\} \d+/,
    );

    const without = await start({ REDIS_URL: mutual.url, REDIS_TLS_CA_FILE: certs.caCert });
    const health = await redisHealth(without);
    expect(health.status).toBe('unhealthy');
    expect(health.error).toMatch(
      /^Redis \(REDIS_URL\): TLS connection failed: the server refused the TLS handshake; it wants a client certificate it trusts and none is configured/,
    );
  });

  it('REDIS_TLS_INSECURE=true (development only) skips verification', async () => {
    const t = await start({
      REDIS_URL: otherHost.url,
      REDIS_TLS_CA_FILE: foreign.caCert,
      REDIS_TLS_INSECURE: 'true',
    });
    expect(await redisHealth(t)).toMatchObject({ status: 'healthy' });
  });
});

async function waitForLog(t: TestApp, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (t.logs().some((l) => l.logger === 'RateLimitStorage' && pattern.test(String(l.message)))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no log line matching ${pattern}: ${JSON.stringify(t.logs().slice(-5))}`);
}
