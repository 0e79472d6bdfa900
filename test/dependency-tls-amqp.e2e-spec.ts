import { rmSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { connect, type ChannelModel } from 'amqplib';
import { loadConfig } from '../src/config/app-config';
import type { DependencyTls } from '../src/config/tls-config';
import { describeTlsFailure } from '../src/tls/tls-failure';
import { amqpSocketOptions } from '../src/tls/tls-options';
import { startTestApp, type TestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { makeTestCertificates, type TestCertificates } from './support/test-ca';
import { rabbitMqUnavailableReason, startTlsRabbitMq, type TlsRabbitMq } from './support/tls-rabbitmq';

const unavailable = rabbitMqUnavailableReason();
if (unavailable) console.warn(`RabbitMQ TLS tests skipped: ${unavailable}`);

/**
 * RabbitMQ over verified TLS (`amqps://` + AMQP_TLS_*), against a second RabbitMQ node of the test's
 * own (TLS listener only, client certificates required, certificate naming other.example): amqplib
 * with `amqpSocketOptions(config.tls.rabbitmq)` and the service's health probe connect only with the
 * right CA, host name and client certificate.
 */
(unavailable ? describe.skip : describe)('RabbitMQ over verified TLS (amqps://, AMQP_TLS_*)', () => {
  let certs: TestCertificates;
  let foreign: TestCertificates;
  let broker: TlsRabbitMq;
  let db: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    certs = makeTestCertificates('amqp-ca');
    foreign = makeTestCertificates('foreign-ca');
    [broker, db] = await Promise.all([
      startTlsRabbitMq({ cert: certs.otherHostCert, key: certs.otherHostKey, ca: certs.caCert }),
      createTestDatabase(),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await broker?.stop();
    await db?.drop();
    for (const c of [certs, foreign]) if (c) rmSync(c.dir, { recursive: true, force: true });
  }, 30_000);

  const mutual = () => ({ AMQP_TLS_CERT_FILE: certs.clientCert, AMQP_TLS_KEY_FILE: certs.clientKey });
  const settings = (env: Record<string, string>): DependencyTls =>
    loadConfig({ AMQP_URL: broker.url, ...env }, '/srv').tls.rabbitmq;
  const refusal = async (tls: DependencyTls): Promise<string | undefined> => {
    const error = await connect(broker.url, amqpSocketOptions(tls)).then(
      async (model) => {
        await model.close();
        return new Error('connected');
      },
      (e: unknown) => e,
    );
    return describeTlsFailure(tls, error);
  };
  /** Detailed health's `rabbitmq` component; the live connection is made after boot, so a healthy answer may take a moment. */
  const probe = async (env: Record<string, string>) => {
    const t = await startTestApp(db.url, { AMQP_URL: broker.url, ...env });
    apps.push(t);
    type Component = { status: string; error?: string; tls?: boolean };
    let rabbitmq: Component | undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      const body = JSON.parse((await t.inject('/api/v1/health/detailed')).body) as {
        components: { rabbitmq: Component };
      };
      rabbitmq = body.components.rabbitmq;
      // A TLS refusal is final (the handshake probe names it); a plain "not connected yet" is worth waiting for.
      if (rabbitmq.status === 'healthy' || rabbitmq.error?.includes('TLS')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    return { t, rabbitmq: rabbitmq as Component };
  };

  it('publishes and consumes over mutual TLS with the right CA and server name; the health probe agrees', async () => {
    const tls = settings({
      AMQP_TLS_CA_FILE: certs.caCert,
      AMQP_TLS_SERVERNAME: 'other.example',
      ...mutual(),
    });
    const model: ChannelModel = await connect(broker.url, amqpSocketOptions(tls));
    try {
      const socket = (model.connection as unknown as { stream: TLSSocket }).stream;
      console.log(
        `Measured: amqplib (amqpSocketOptions) negotiated ${socket.getProtocol()} ${socket.getCipher().standardName}`,
      );
      expect(['TLSv1.2', 'TLSv1.3']).toContain(socket.getProtocol());
      const channel = await model.createChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      channel.sendToQueue(queue, Buffer.from('over TLS'));
      let message = await channel.get(queue, { noAck: true });
      for (let i = 0; i < 20 && message === false; i++) {
        await new Promise((r) => setTimeout(r, 50));
        message = await channel.get(queue, { noAck: true });
      }
      expect(message && message.content.toString()).toBe('over TLS');
    } finally {
      await model.close();
    }

    const { t, rabbitmq } = await probe({
      AMQP_TLS_CA_FILE: certs.caCert,
      AMQP_TLS_SERVERNAME: 'other.example',
      ...mutual(),
    });
    expect(rabbitmq).toMatchObject({ status: 'healthy', tls: true });
    const metrics = (await t.inject('/metrics')).body;
    for (const certificate of ['ca', 'client', 'server']) {
      expect(metrics).toMatch(
        new RegExp(
          `dependency_tls_cert_expiry_seconds\\{dependency="rabbitmq",certificate="${certificate}"\\} \\d+`,
        ),
      );
    }
  });

  it('refuses a broker whose certificate does not chain to the configured CA', async () => {
    const env = { AMQP_TLS_CA_FILE: foreign.caCert, AMQP_TLS_SERVERNAME: 'other.example', ...mutual() };
    const expected =
      /^RabbitMQ \(AMQP_URL\): TLS connection failed: the server's certificate does not chain to the CA in AMQP_TLS_CA_FILE \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)$/;
    expect(await refusal(settings(env))).toMatch(expected);
    const { rabbitmq } = await probe(env);
    expect(rabbitmq.status).toBe('unhealthy');
    expect(rabbitmq.error).toMatch(expected);
  });

  it('refuses a certificate that names another host than the URL’s', async () => {
    const env = { AMQP_TLS_CA_FILE: certs.caCert, ...mutual() };
    const expected =
      /^RabbitMQ \(AMQP_URL\): TLS connection failed: the server's certificate does not name the host this service connects to: IP: 127\.0\.0\.1 is not in the cert's list \(ERR_TLS_CERT_ALTNAME_INVALID\)$/;
    expect(await refusal(settings(env))).toMatch(expected);
    // The health report answers anyone: the same reason, without the broker's address.
    expect((await probe(env)).rabbitmq.error).toMatch(
      new RegExp(expected.source.replace('127\\.0\\.0\\.1', '\\[address\\]')),
    );
  });

  it('mutual TLS: a client without a certificate is refused by the broker', async () => {
    const env = { AMQP_TLS_CA_FILE: certs.caCert, AMQP_TLS_SERVERNAME: 'other.example' };
    const expected =
      /^RabbitMQ \(AMQP_URL\): TLS connection failed: the server refused the TLS handshake; it wants a client certificate it trusts and none is configured/;
    expect(await refusal(settings(env))).toMatch(expected);
    expect((await probe(env)).rabbitmq.error).toMatch(expected);
  });
});
