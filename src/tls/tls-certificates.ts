/**
 * `dependency_tls_cert_expiry_seconds{dependency, certificate}`: seconds until a certificate expires
 * (negative once expired), computed at scrape time. `certificate` is `ca` (the earliest-expiring one
 * of the configured bundle), `client` (the mutual-TLS certificate) or `server` (the one the server
 * presented at the last handshake this process made: health probes, Vault calls).
 */
import type { TLSSocket } from 'node:tls';
import { Injectable } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import type { TlsConfig, TlsDependency } from '../config/tls-config';

export const TLS_EXPIRY_METRIC = 'dependency_tls_cert_expiry_seconds';

/** What the servers presented: the latest handshake per dependency. */
@Injectable()
export class PeerCertificates {
  private readonly notAfter = new Map<TlsDependency, Date>();

  /** Records the certificate `socket`'s peer presented (a no-op before the handshake or without one). */
  observe(dependency: TlsDependency, socket: TLSSocket): void {
    const validTo = socket.getPeerCertificate()?.valid_to;
    if (validTo) this.notAfter.set(dependency, new Date(validTo));
  }

  entries(): [TlsDependency, Date][] {
    return [...this.notAfter.entries()];
  }
}

export function registerTlsExpiryMetric(
  registry: Registry,
  tls: TlsConfig,
  peers: PeerCertificates,
  now: () => number = Date.now,
): Gauge<'dependency' | 'certificate'> {
  const configured = Object.values(tls).filter((d) => d.enabled);
  return new Gauge({
    name: TLS_EXPIRY_METRIC,
    help: 'Seconds until a TLS certificate of a dependency expires: the configured CA and client certificates, and the one the server presented last',
    labelNames: ['dependency', 'certificate'],
    registers: [registry],
    collect() {
      this.reset();
      const seconds = (date: Date) => Math.round((date.getTime() - now()) / 1000);
      for (const d of configured) {
        if (d.ca) this.set({ dependency: d.dependency, certificate: 'ca' }, seconds(d.ca.notAfter));
        if (d.cert) this.set({ dependency: d.dependency, certificate: 'client' }, seconds(d.cert.notAfter));
      }
      for (const [dependency, notAfter] of peers.entries()) {
        this.set({ dependency, certificate: 'server' }, seconds(notAfter));
      }
    },
  });
}
