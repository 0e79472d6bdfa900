import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  caCert: string;
  /** Names 127.0.0.1 and localhost. */
  serverCert: string;
  serverKey: string;
  /** Signed by the same CA, but names only other.example (a wrong host name for 127.0.0.1). */
  otherHostCert: string;
  otherHostKey: string;
  /** A client certificate (CN=integration-service, clientAuth) for mutual TLS. */
  clientCert: string;
  clientKey: string;
}

/**
 * A throw-away certificate authority and certificates it signed: a server certificate for
 * 127.0.0.1/localhost, one for another host name, and a client certificate; made with the machine's
 * openssl (for tests of verified TLS; nothing is kept).
 */
export function makeTestCertificates(name = 'test-ca'): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const path = (file: string) => join(dir, file);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
  );
  const issue = (file: string, cn: string, extensions: string) => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      path(`${file}.key`),
      '-out',
      path(`${file}.csr`),
    );
    writeFileSync(path(`${file}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      path(`${file}.csr`),
      '-CA',
      path('ca.crt'),
      '-CAkey',
      path('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      path(`${file}.ext`),
      '-out',
      path(`${file}.crt`),
    );
  };
  issue('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  issue('other-host', 'other.example', 'subjectAltName=DNS:other.example\n');
  issue('client', 'integration-service', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caCert: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    otherHostCert: path('other-host.crt'),
    otherHostKey: path('other-host.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
  };
}
