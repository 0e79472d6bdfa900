/**
 * Names why a TLS connection to a dependency failed, from Node/OpenSSL error codes: a certificate that
 * does not chain to the CA, a host name it does not carry, an expired certificate, a refused client
 * certificate, a peer that does not speak TLS. Only codes and fixed texts: never key material.
 */
import type { DependencyTls } from '../config/tls-config';

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);

const CLIENT_CERT_REFUSED =
  /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE|ACCESS_DENIED)/;

interface ErrorFacts {
  code?: string;
  message: string;
  reason?: string;
}

/** The error and its causes (duck-typed: errors from another realm, e.g. under jest, are not `instanceof Error`). */
function errorChain(error: unknown): ErrorFacts[] {
  const chain: ErrorFacts[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as {
      code?: unknown;
      message?: unknown;
      reason?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    chain.push({
      code: typeof e.code === 'string' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message : '',
      reason: typeof e.reason === 'string' ? e.reason : undefined,
    });
    // AggregateError (several addresses tried): the first one's cause.
    current = e.cause ?? (Array.isArray(e.errors) ? (e.errors[0] as unknown) : undefined);
  }
  return chain;
}

/** Why `error` is a TLS failure, or undefined when it is not one. */
export function tlsFailureReason(error: unknown, tls?: DependencyTls): string | undefined {
  const caVariable = tls?.ca ? `the CA in ${caFileVariable(tls)}` : "Node's default CAs";
  for (const { code, message, reason } of errorChain(error)) {
    if (code && UNTRUSTED.has(code)) {
      return `the server's certificate does not chain to ${caVariable} (${code})`;
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const detail = (reason ?? message)
        .replace(/^Hostname\/IP does not match certificate's altnames: /, '')
        .replace(/:\s*$/, '');
      return `the server's certificate does not name the host this service connects to: ${detail} (${code})`;
    }
    if (code === 'CERT_HAS_EXPIRED') return `the server's certificate has expired (${code})`;
    if (code === 'CERT_NOT_YET_VALID') return `the server's certificate is not valid yet (${code})`;
    if (code && CLIENT_CERT_REFUSED.test(code)) {
      return `the server refused the TLS handshake; it wants a client certificate it trusts${
        tls?.cert ? '' : ' and none is configured'
      } (${code})`;
    }
    // PostgreSQL refuses after the handshake, by pg_hba (`clientcert=verify-ca|verify-full`).
    if (/requires a valid client certificate|certificate authentication failed/i.test(message)) {
      return `the server refused the connection; it wants a client certificate it trusts${
        tls?.cert ? '' : ' and none is configured'
      } (${message})`;
    }
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message)) {
      return 'the server does not speak TLS on this port (ERR_SSL_WRONG_VERSION_NUMBER)';
    }
    if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_')) {
      return `the TLS handshake failed (${code})`;
    }
  }
  return undefined;
}

function caFileVariable(tls: DependencyTls): string {
  if (tls.dependency === 'database') return 'sslrootcert';
  return `${tls.dependency === 'rabbitmq' ? 'AMQP' : tls.dependency.toUpperCase()}_TLS_CA_FILE`;
}

/** "Redis (REDIS_URL): TLS connection failed: <reason>", or undefined when `error` is no TLS failure. */
export function describeTlsFailure(tls: DependencyTls, error: unknown): string | undefined {
  const reason = tlsFailureReason(error, tls);
  return reason ? `${tls.name} (${tls.urlVariable}): TLS connection failed: ${reason}` : undefined;
}
