import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { startTestApp } from './support/app';
import { startControlledPostgres, type ControlledPostgres } from './support/embedded-postgres-process';
import { makeTestCertificates, type TestCertificates } from './support/test-ca';

/**
 * PostgreSQL over verified TLS: `DATABASE_URL` with `sslmode=verify-full&sslrootcert=<CA file>` (pg's
 * own connection-string options) connects over TLS to a server whose certificate chains to that
 * CA and names the host, and refuses one that does not.
 */
describe('PostgreSQL over verified TLS (DATABASE_URL sslmode=verify-full)', () => {
  let pg: ControlledPostgres;
  let certs: TestCertificates;
  let foreign: TestCertificates;
  const root = mkdtempSync(join(tmpdir(), 'tls-pg-'));
  const hba = join(root, 'pg_hba.conf');
  /** TCP from 127.0.0.1: trust, or (mutual) only over TLS with a client certificate from the CA. */
  const writeHba = (mutual: boolean) =>
    writeFileSync(
      hba,
      [
        'local all all trust',
        mutual
          ? 'hostssl all all 127.0.0.1/32 trust clientcert=verify-ca'
          : 'host all all 127.0.0.1/32 trust',
        'host all all ::1/128 trust',
        '',
      ].join('\n'),
    );

  /** Puts a certificate or key file in place for the server, owned by the server's user (as root). */
  const install = (from: string, to: string) => {
    copyFileSync(from, to);
    if (to.endsWith('.key')) chmodSync(to, 0o600);
    if (userInfo().uid === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      chownSync(to, uid, gid);
    }
  };

  beforeAll(async () => {
    certs = makeTestCertificates('pg-ca');
    foreign = makeTestCertificates('foreign-ca');
    // The server reads its key as its own user (the embedded server runs as `postgres` under root).
    const key = join(root, 'server.key');
    const cert = join(root, 'server.crt');
    const ca = join(root, 'ca.crt');
    copyFileSync(certs.serverKey, key);
    copyFileSync(certs.serverCert, cert);
    copyFileSync(certs.caCert, ca);
    writeHba(false);
    chmodSync(key, 0o600);
    if (userInfo().uid === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      for (const file of [key, cert, ca, hba]) chownSync(file, uid, gid);
    }
    pg = await startControlledPostgres(join(root, 'pg'), 'tls_test', {
      ssl: 'on',
      ssl_cert_file: cert,
      ssl_key_file: key,
      // Client certificates signed by this CA are checked when sent, required where pg_hba says so.
      ssl_ca_file: ca,
      hba_file: hba,
    });
  }, 120_000);
  afterAll(async () => {
    await pg?.close();
    rmSync(root, { recursive: true, force: true });
    for (const c of [certs, foreign]) if (c) rmSync(c.dir, { recursive: true, force: true });
  });

  const withTls = (url: string, ca: string) =>
    `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`;

  it('the service connects over TLS when the certificate chains to the given CA', async () => {
    const t = await startTestApp(withTls(pg.url, certs.caCert), { MIGRATIONS_RUN: 'true' });
    try {
      expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(200);
      const client = new Client({ connectionString: withTls(pg.url, certs.caCert) });
      await client.connect();
      const { rows } = await client.query<{ ssl: boolean }>(
        "SELECT bool_and(ssl) AS ssl FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE application_name = 'integration-service'",
      );
      await client.end();
      expect(rows[0].ssl).toBe(true);
      const [negotiated] = await t.app
        .get(DataSource)
        .query<{ version: string; cipher: string }[]>(
          'SELECT version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
        );
      console.log(`Measured: pg (service pool) negotiated ${negotiated.version} ${negotiated.cipher}`);
      expect(negotiated.version).toBe('TLSv1.3');
      expect((await t.inject('/metrics')).body).toMatch(
        /dependency_tls_cert_expiry_seconds\{dependency="database",certificate="ca"\} \d+/,
      );

      // The CA was read once at start: with the file gone, new connections still verify the server.
      const caCopy = join(root, 'ca-read-once.crt');
      copyFileSync(certs.caCert, caCopy);
      const t2 = await startTestApp(withTls(pg.url, caCopy));
      try {
        rmSync(caCopy);
        const admin = new Client({ connectionString: withTls(pg.url, certs.caCert) });
        await admin.connect();
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'integration-service' AND pid <> pg_backend_pid()",
        );
        await admin.end();
        let status = 0;
        for (let i = 0; i < 3 && status !== 200; i++)
          status = (await t2.inject('/api/v1/health/readiness')).statusCode;
        expect(status).toBe(200);
      } finally {
        await t2.close();
      }
    } finally {
      await t.close();
    }
  });

  it('a server whose certificate does not chain to the given CA is refused, naming the reason', async () => {
    const client = new Client({ connectionString: withTls(pg.url, foreign.caCert) });
    await expect(client.connect()).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    await expect(startTestApp(withTls(pg.url, foreign.caCert), { MIGRATIONS_RUN: 'true' })).rejects.toThrow(
      /^PostgreSQL \(DATABASE_URL\): TLS connection failed: the server's certificate does not chain to the CA in sslrootcert \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)$/,
    );
  });

  it('a server whose certificate names another host is refused, naming PostgreSQL and the reason', async () => {
    // The server reloads its certificate (pg_reload_conf): new connections get one for other.example.
    const reload = async (url: string) => {
      const admin = new Client({ connectionString: url });
      await admin.connect();
      await admin.query('SELECT pg_reload_conf()');
      await admin.end();
    };
    // A copy onto a file may leave it owned by root on Node 24: installed with the server's owner.
    install(certs.otherHostCert, join(root, 'server.crt'));
    install(certs.otherHostKey, join(root, 'server.key'));
    await reload(withTls(pg.url, certs.caCert));
    // pg_reload_conf only signals the server: wait until a new connection is offered the new certificate.
    for (let i = 0; i < 50; i++) {
      const probe = new Client({ connectionString: withTls(pg.url, certs.caCert) });
      const refused = await probe.connect().then(
        () => false,
        () => true,
      );
      await probe.end().catch(() => undefined);
      if (refused) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      await expect(startTestApp(withTls(pg.url, certs.caCert), { MIGRATIONS_RUN: 'true' })).rejects.toThrow(
        /^PostgreSQL \(DATABASE_URL\): TLS connection failed: the server's certificate does not name the host this service connects to: IP: 127\.0\.0\.1 is not in the cert's list \(ERR_TLS_CERT_ALTNAME_INVALID\)$/,
      );
    } finally {
      install(certs.serverCert, join(root, 'server.crt'));
      install(certs.serverKey, join(root, 'server.key'));
      await reload(`${pg.url}?sslmode=no-verify`);
    }
  });

  it('mutual TLS: with sslcert/sslkey the service connects where the server requires a client certificate; without, start-up names why', async () => {
    const reload = async () => {
      const admin = new Client({
        connectionString: `${pg.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.caCert)}&sslcert=${encodeURIComponent(certs.clientCert)}&sslkey=${encodeURIComponent(certs.clientKey)}`,
      });
      await admin.connect();
      await admin.query('SELECT pg_reload_conf()');
      await admin.end();
    };
    writeHba(true);
    await reload();
    try {
      const mutual = `${withTls(pg.url, certs.caCert)}&sslcert=${encodeURIComponent(certs.clientCert)}&sslkey=${encodeURIComponent(certs.clientKey)}`;
      const t = await startTestApp(mutual);
      try {
        expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(200);
        const [row] = await t.app
          .get(DataSource)
          .query<{ client_dn: string }[]>('SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        expect(row.client_dn).toBe('/CN=integration-service');
        expect((await t.inject('/metrics')).body).toMatch(
          /dependency_tls_cert_expiry_seconds\{dependency="database",certificate="client"\} \d+/,
        );
      } finally {
        await t.close();
      }
      await expect(startTestApp(withTls(pg.url, certs.caCert))).rejects.toThrow(
        /^PostgreSQL \(DATABASE_URL\): TLS connection failed: the server refused the connection; it wants a client certificate it trusts and none is configured/,
      );
    } finally {
      writeHba(false);
      await reload();
    }
  });
});
