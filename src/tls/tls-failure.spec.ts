import type { DependencyTls } from '../config/tls-config';
import { describeTlsFailure, tlsFailureReason } from './tls-failure';

const redis: DependencyTls = {
  dependency: 'redis',
  name: 'Redis',
  urlVariable: 'REDIS_URL',
  enabled: true,
  insecure: false,
  ca: { path: '/ca.pem', pem: Buffer.from(''), notAfter: new Date() },
};
const coded = (code: string, message = code, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe('TLS failure reasons', () => {
  it('names an untrusted chain, a wrong host, expiry, a refused client certificate, plain TCP', () => {
    expect(describeTlsFailure(redis, coded('SELF_SIGNED_CERT_IN_CHAIN'))).toBe(
      "Redis (REDIS_URL): TLS connection failed: the server's certificate does not chain to the CA in REDIS_TLS_CA_FILE (SELF_SIGNED_CERT_IN_CHAIN)",
    );
    expect(
      tlsFailureReason(
        coded(
          'ERR_TLS_CERT_ALTNAME_INVALID',
          "Hostname/IP does not match certificate's altnames: Host: a. is not in the cert's altnames: DNS:b",
        ),
      ),
    ).toBe(
      "the server's certificate does not name the host this service connects to: Host: a. is not in the cert's altnames: DNS:b (ERR_TLS_CERT_ALTNAME_INVALID)",
    );
    expect(tlsFailureReason(coded('CERT_HAS_EXPIRED'))).toMatch(/has expired/);
    expect(tlsFailureReason(coded('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'))).toMatch(
      /refused the TLS handshake; it wants a client certificate it trusts and none is configured/,
    );
    expect(tlsFailureReason(coded('ERR_SSL_WRONG_VERSION_NUMBER'))).toMatch(/does not speak TLS/);
    // PostgreSQL refuses by pg_hba after the handshake, with a server error rather than an alert.
    expect(tlsFailureReason(coded('28000', 'connection requires a valid client certificate'))).toBe(
      'the server refused the connection; it wants a client certificate it trusts and none is configured (connection requires a valid client certificate)',
    );
    expect(tlsFailureReason(coded('SELF_SIGNED_CERT_IN_CHAIN'))).toMatch(/Node's default CAs/);
  });

  it('looks through wrappers (axios, AggregateError) and ignores what is not TLS', () => {
    const wrapped = Object.assign(new Error('request failed'), {
      cause: coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
    });
    expect(tlsFailureReason(wrapped)).toMatch(/does not chain/);
    expect(tlsFailureReason(new AggregateError([coded('CERT_HAS_EXPIRED')]))).toMatch(/expired/);
    expect(describeTlsFailure(redis, coded('ECONNREFUSED'))).toBeUndefined();
    expect(describeTlsFailure(redis, 'nope')).toBeUndefined();
  });
});
