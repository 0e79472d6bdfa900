/**
 * Node TLS options for a dependency from its validated settings: verification on (the server's
 * certificate must chain to the configured CA — or Node's public CAs without one — and name the
 * host or `*_TLS_SERVERNAME`), TLS 1.2 at least, the client certificate for mutual TLS.
 * `*_TLS_INSECURE=true` (never in production) turns both checks off.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { DependencyTls } from '../config/tls-config';

export function tlsConnectionOptions(tls: DependencyTls): ConnectionOptions {
  return {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: !tls.insecure,
    ...(tls.insecure ? { checkServerIdentity: () => undefined } : {}),
    ...(tls.ca ? { ca: tls.ca.pem } : {}),
    ...(tls.cert && tls.key ? { cert: tls.cert.pem, key: tls.key.pem() } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
}

/** As above, plus SNI for a host name (never for an IP address, which SNI cannot carry). */
export function tlsOptionsForHost(tls: DependencyTls, host: string): ConnectionOptions {
  const options = tlsConnectionOptions(tls);
  if (!options.servername && isIP(host) === 0) options.servername = host;
  return options;
}

/**
 * amqplib's socket options for AMQP_URL (`amqplib.connect(url, amqpSocketOptions(config.tls.rabbitmq))`):
 * with `amqps://` the TLS options above (amqplib sets SNI from the URL's host name itself); with
 * `amqp://` none.
 */
export function amqpSocketOptions(tls: DependencyTls): ConnectionOptions {
  return tls.enabled ? tlsConnectionOptions(tls) : {};
}

/** ioredis's `tls` option for REDIS_URL: the options above with `rediss://`, else undefined (plain TCP). */
export function redisTlsOptions(tls: DependencyTls): ConnectionOptions | undefined {
  return tls.enabled ? tlsConnectionOptions(tls) : undefined;
}
