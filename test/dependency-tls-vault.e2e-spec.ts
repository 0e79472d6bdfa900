import { readFileSync, rmSync } from 'node:fs';
import type { SecretCipher } from '../src/vault/cipher';
import { VaultUnavailableError } from '../src/vault/vault.errors';
import { VaultTransitCipher } from '../src/vault/vault-transit-cipher';
import { SECRET_CIPHER } from '../src/vault/vault.tokens';
import { FakeVault, type FakeVaultTls } from './fakes/vault';
import { startTestApp, type TestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { makeTestCertificates, type TestCertificates } from './support/test-ca';

/**
 * Vault over verified TLS (`https://` + VAULT_TLS_*), against the fake Vault served over HTTPS with a
 * CA made at run time: the transit cipher works over TLS; a foreign CA, a wrong host name and a
 * missing client certificate make readiness 503 with a message naming Vault and the reason.
 */
describe('Vault over verified TLS (https://, VAULT_TLS_*)', () => {
  let certs: TestCertificates;
  let foreign: TestCertificates;
  let db: TestDatabase;
  const vaults: FakeVault[] = [];
  const apps: TestApp[] = [];

  beforeAll(async () => {
    certs = makeTestCertificates('vault-ca');
    foreign = makeTestCertificates('foreign-ca');
    db = await createTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(vaults.map((v) => v.stop()));
    await db?.drop();
    for (const c of [certs, foreign]) if (c) rmSync(c.dir, { recursive: true, force: true });
  });

  const vault = async (tls: Partial<FakeVaultTls> = {}) => {
    const v = await FakeVault.start({
      tls: { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey), ...tls },
    });
    vaults.push(v);
    return v;
  };
  const start = async (v: FakeVault, env: Record<string, string>) => {
    const t = await startTestApp(db.url, {
      VAULT_URL: v.url,
      VAULT_TOKEN: v.rootToken,
      VAULT_TIMEOUT_MS: '2000',
      RATE_LIMIT_ENABLED: 'false',
      ...env,
    });
    apps.push(t);
    return t;
  };
  const vaultHealth = async (t: TestApp) =>
    (
      JSON.parse((await t.inject('/api/v1/health/detailed')).body) as {
        components: { vault: { status: string; error?: string } };
      }
    ).components.vault;

  it('seals and opens secrets over TLS; readiness 200; the certificates’ expiry is exported', async () => {
    const v = await vault();
    expect(v.url).toMatch(/^https:/);
    const t = await start(v, { VAULT_TLS_CA_FILE: certs.caCert });
    expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(200);
    const cipher = t.app.get<symbol, SecretCipher>(SECRET_CIPHER);
    const envelope = await cipher.encrypt('a session string', 7);
    expect(await cipher.decrypt(envelope, 7)).toBe('a session string');
    const { protocol, cipher: suite } = v.handshakes[0];
    console.log(`Measured: node-vault (https.Agent, service options) negotiated ${protocol} ${suite}`);
    expect(protocol).toBe('TLSv1.3');
    const metrics = (await t.inject('/metrics')).body;
    expect(metrics).toMatch(/dependency_tls_cert_expiry_seconds\{dependency="vault",certificate="ca"\} \d+/);
    expect(metrics).toMatch(
      /dependency_tls_cert_expiry_seconds\{dependency="vault",certificate="server"\} \d+/,
    );
  });

  it('refuses a Vault whose certificate does not chain to the configured CA, naming Vault and the reason', async () => {
    const v = await vault();
    const t = await start(v, { VAULT_TLS_CA_FILE: foreign.caCert });
    expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(503);
    const health = await vaultHealth(t);
    expect(health.status).toBe('unhealthy');
    expect(health.error).toMatch(
      /^HashiCorp Vault \(VAULT_URL\): TLS connection failed: the server's certificate does not chain to the CA in VAULT_TLS_CA_FILE \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\) \(state: tls_failed\)$/,
    );
    const cipher = t.app.get<symbol, SecretCipher>(SECRET_CIPHER);
    const refused = await cipher.encrypt('x', 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VaultUnavailableError);
    expect((refused as VaultUnavailableError).reason).toBe('tls');
    // What start-up logs (the service starts; readiness stays 503 until Vault can be verified).
    await expect((cipher as VaultTransitCipher).start()).rejects.toThrow(
      /^Vault is unavailable \(tls\) during token lookup: HashiCorp Vault \(VAULT_URL\): TLS connection failed: the server's certificate does not chain to the CA in VAULT_TLS_CA_FILE/,
    );
  });

  it('refuses a certificate that names another host; VAULT_TLS_SERVERNAME names the expected one', async () => {
    const v = await vault({ cert: readFileSync(certs.otherHostCert), key: readFileSync(certs.otherHostKey) });
    const t = await start(v, { VAULT_TLS_CA_FILE: certs.caCert });
    expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(503);
    expect((await vaultHealth(t)).error).toMatch(
      /^HashiCorp Vault \(VAULT_URL\): TLS connection failed: the server's certificate does not name the host this service connects to: IP: \[address\] is not in the cert's list.*\(ERR_TLS_CERT_ALTNAME_INVALID\)/,
    );
    const named = await start(v, { VAULT_TLS_CA_FILE: certs.caCert, VAULT_TLS_SERVERNAME: 'other.example' });
    expect((await named.inject('/api/v1/health/readiness')).statusCode).toBe(200);
  });

  it('mutual TLS: works with the client certificate, refused without it', async () => {
    const v = await vault({ ca: readFileSync(certs.caCert) });
    const t = await start(v, {
      VAULT_TLS_CA_FILE: certs.caCert,
      VAULT_TLS_CERT_FILE: certs.clientCert,
      VAULT_TLS_KEY_FILE: certs.clientKey,
    });
    expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(200);
    expect(v.handshakes.map((h) => h.clientCertificate)).toContain('integration-service');

    const without = await start(v, { VAULT_TLS_CA_FILE: certs.caCert });
    expect((await without.inject('/api/v1/health/readiness')).statusCode).toBe(503);
    expect((await vaultHealth(without)).error).toMatch(
      /^HashiCorp Vault \(VAULT_URL\): TLS connection failed: the server refused the TLS handshake; it wants a client certificate it trusts and none is configured/,
    );
  });
});
