import { randomBytes } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { IsObject, IsString, MaxLength } from 'class-validator';
import { type AuthUser, CurrentUser } from '../src/common/auth/current-user.decorator';
import { assertSecretEnvelope, type SecretCipher, type SecretEnvelope } from '../src/vault/cipher';
import { SECRET_CIPHER } from '../src/vault/vault.tokens';
import { FakeVault, type FakeVaultState } from './fakes/vault';
import { bearer, startTestApp, type TestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';

const KEY = 'telegram-sessions';
const VAULT_TIMEOUT_MS = 300;
/** startTestApp's HEALTH_CHECK_TIMEOUT_MS: a health answer must come well before it. */
const HEALTH_CHECK_TIMEOUT_MS = 1000;

class SecretBodyDto {
  @IsString()
  @MaxLength(4096)
  secret!: string;
}

class EnvelopeBodyDto {
  @IsObject()
  envelope!: Record<string, unknown>;
}

/** A test-only feature that needs Vault for every request, as the Telegram routes will. */
@Controller('test-only/secrets')
class SecretProbeController {
  constructor(@Inject(SECRET_CIPHER) private readonly cipher: SecretCipher) {}

  @Post('encrypt')
  @HttpCode(200)
  async encrypt(
    @CurrentUser() user: AuthUser,
    @Body() body: SecretBodyDto,
  ): Promise<{ envelope: SecretEnvelope }> {
    return { envelope: await this.cipher.encrypt(body.secret, user.id) };
  }

  @Post('decrypt')
  @HttpCode(200)
  async decrypt(@CurrentUser() user: AuthUser, @Body() body: EnvelopeBodyDto): Promise<{ secret: string }> {
    return { secret: await this.cipher.decrypt(assertSecretEnvelope(body.envelope), user.id) };
  }
}

@Module({ controllers: [SecretProbeController] })
class SecretProbeModule {}

function sessionString(): string {
  return `1BVtsOK${randomBytes(48).toString('base64')}`;
}

async function timed<T>(action: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await action();
  return { value, ms: Date.now() - started };
}

function startApp(db: TestDatabase, vault: FakeVault, env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp(
    db.url,
    {
      VAULT_URL: vault.url,
      VAULT_TOKEN: vault.rootToken,
      VAULT_TIMEOUT_MS: String(VAULT_TIMEOUT_MS),
      RATE_LIMIT_ENABLED: 'false',
      ...env,
    },
    { extraImports: [SecretProbeModule] },
  );
}

/** Client side of the probe routes. */
function probe(t: TestApp, userId = 1) {
  return {
    encrypt: (secret: string) =>
      t.inject({
        method: 'POST',
        url: '/test-only/secrets/encrypt',
        headers: bearer(t.token(userId)),
        payload: { secret },
      }),
    decrypt: (envelope: unknown) =>
      t.inject({
        method: 'POST',
        url: '/test-only/secrets/decrypt',
        headers: bearer(t.token(userId)),
        payload: { envelope },
      }),
    /** Encrypts and decrypts through the app; returns the final status. */
    roundTrip: async (): Promise<number> => {
      const secret = sessionString();
      const encrypted = await t.inject({
        method: 'POST',
        url: '/test-only/secrets/encrypt',
        headers: bearer(t.token(userId)),
        payload: { secret },
      });
      if (encrypted.statusCode !== 200) return encrypted.statusCode;
      const decrypted = await t.inject({
        method: 'POST',
        url: '/test-only/secrets/decrypt',
        headers: bearer(t.token(userId)),
        payload: { envelope: encrypted.json().envelope },
      });
      if (decrypted.statusCode === 200) expect(decrypted.json()).toEqual({ secret });
      return decrypted.statusCode;
    },
  };
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

describe('Vault faults', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  describe('a running service', () => {
    let vault: FakeVault;
    let t: TestApp;
    const secrets: string[] = [];

    beforeAll(async () => {
      vault = await FakeVault.start();
      t = await startApp(db, vault);
    });

    afterAll(async () => {
      // No plaintext secret in any log line, whatever failed on the way.
      const logs = t.rawLogs();
      for (const secret of secrets) expect(logs).not.toContain(secret);
      expect(logs).not.toContain(vault.rootToken);
      await t.close();
      await vault.stop();
    });

    afterEach(async () => {
      vault.setState('active');
      vault.setForbidden(false);
      vault.setSlow(0);
      await vault.comeBack();
    });

    async function readiness(): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
      const { value, ms } = await timed(() => t.inject('/api/v1/health/readiness'));
      return { status: value.statusCode, body: value.json(), ms };
    }

    async function vaultComponent(): Promise<Record<string, unknown>> {
      const res = await t.inject('/api/v1/health/detailed');
      return (res.json() as { components: Record<string, Record<string, unknown>> }).components.vault;
    }

    async function expectRecovered(): Promise<void> {
      await eventually(async () => (await readiness()).status === 200, 'readiness 200');
      expect(await vaultComponent()).toMatchObject({ status: 'healthy', state: 'active' });
      expect(await probe(t).roundTrip()).toBe(200);
    }

    it('healthy: readiness 200, detailed names Vault active and critical, a secret round-trips', async () => {
      const ready = await readiness();
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        info: { vault: { status: 'up' }, database: { status: 'up' } },
      });
      expect(await vaultComponent()).toMatchObject({
        status: 'healthy',
        type: 'HashiCorp Vault',
        critical: true,
        state: 'active',
        transit_key: KEY,
      });
      const secret = sessionString();
      secrets.push(secret);
      const encrypted = await probe(t).encrypt(secret);
      expect(encrypted.statusCode).toBe(200);
      expect(encrypted.body).not.toContain(secret);
      expect((await probe(t).decrypt(encrypted.json().envelope)).json()).toEqual({ secret });
      // Another user's token cannot read it: 409, and the secret is not in the answer.
      const foreign = await probe(t, 2).decrypt(encrypted.json().envelope);
      expect(foreign.statusCode).toBe(409);
      expect(foreign.json()).toMatchObject({ code: 'secret_unreadable' });
      expect(foreign.body).not.toContain(secret);
    });

    it.each([
      ['standby', 'standby'],
      ['perf_standby', 'perf_standby'],
    ] as const)(
      '%s: still ready (it forwards to the active node), detailed says %s',
      async (state, named) => {
        vault.setState(state as FakeVaultState);
        expect((await readiness()).status).toBe(200);
        expect(await vaultComponent()).toMatchObject({ status: 'healthy', state: named });
        expect(await probe(t).roundTrip()).toBe(200);
      },
    );

    it.each([
      ['sealed', 'Vault is sealed (state: sealed)', 'sealed'],
      ['uninitialized', 'Vault is not initialised (state: uninitialized)', 'sealed'],
      ['dr_secondary', 'Vault is a DR secondary and cannot serve requests (state: dr_secondary)', null],
    ] as const)(
      '%s: readiness 503 and detailed says so; recovers when it is back',
      async (state, error, reason) => {
        const secret = sessionString();
        secrets.push(secret);
        const envelope = (await probe(t).encrypt(secret)).json().envelope;
        vault.setState(state);

        const ready = await readiness();
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({
          status: 'error',
          error: { vault: { status: 'down', message: error } },
        });
        expect(ready.ms).toBeLessThan(HEALTH_CHECK_TIMEOUT_MS);
        const detailed = await t.inject('/api/v1/health/detailed');
        expect(detailed.statusCode).toBe(503);
        expect(detailed.json()).toMatchObject({
          status: 'unhealthy',
          components: { vault: { status: 'unhealthy', critical: true, error } },
        });
        expect((await t.inject('/api/v1/health/liveness')).statusCode).toBe(200);
        expect((await t.inject('/health')).statusCode).toBe(200);

        if (reason) {
          // Vault answers every API call of a sealed or uninitialised server with 503 "Vault is sealed".
          for (const res of [await probe(t).encrypt(secret), await probe(t).decrypt(envelope)]) {
            expect(res.statusCode).toBe(503);
            expect(res.headers['retry-after']).toBe('5');
            expect(res.json()).toMatchObject({
              code: 'dependency_unavailable',
              dependency: 'vault',
              message: `The secret store (Vault) is unavailable: ${reason}`,
            });
            expect(res.body).not.toContain(secret);
          }
        }

        vault.setState('active');
        await expectRecovered();
        expect((await probe(t).decrypt(envelope)).json()).toEqual({ secret });
      },
    );

    it('down (connection refused): 503 everywhere it matters, liveness 200, then recovers by itself', async () => {
      await vault.goDown();
      const ready = await readiness();
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        error: { vault: { status: 'down', message: 'Vault is unreachable (state: unreachable)' } },
      });
      expect(await vaultComponent()).toMatchObject({
        status: 'unhealthy',
        error: expect.stringContaining('unreachable'),
      });
      const res = await probe(t).encrypt(sessionString());
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        dependency: 'vault',
        message: 'The secret store (Vault) is unavailable: unreachable',
      });
      expect((await t.inject('/api/v1/health/liveness')).statusCode).toBe(200);

      await vault.comeBack();
      await expectRecovered();
    });

    it('403 (token no longer allowed): readiness 503 naming forbidden, requests 503; recovers when allowed', async () => {
      vault.setForbidden(true);
      const ready = await readiness();
      expect(ready.status).toBe(503);
      expect(await vaultComponent()).toMatchObject({
        status: 'unhealthy',
        error: "Vault refuses this service's token (403) (state: forbidden)",
      });
      const res = await probe(t).encrypt(sessionString());
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ message: 'The secret store (Vault) is unavailable: forbidden' });

      vault.setForbidden(false);
      await expectRecovered();
    });

    it.each(['delay', 'trickle'] as const)(
      'slow (%s): readiness 503 within VAULT_TIMEOUT_MS, a request 503 within it too; then recovers',
      async (mode) => {
        vault.setSlow(3000, { mode });
        const ready = await readiness();
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({
          error: { vault: { message: 'Vault did not answer within VAULT_TIMEOUT_MS (state: timeout)' } },
        });
        expect(ready.ms).toBeGreaterThanOrEqual(VAULT_TIMEOUT_MS - 20);
        expect(ready.ms).toBeLessThan(VAULT_TIMEOUT_MS + 400);

        const { value: res, ms } = await timed(() => probe(t).encrypt(sessionString()));
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({ message: 'The secret store (Vault) is unavailable: timeout' });
        expect(ms).toBeLessThan(VAULT_TIMEOUT_MS + 400);

        vault.setSlow(0);
        await expectRecovered();
      },
    );
  });

  describe('AppRole login', () => {
    let vault: FakeVault;
    let t: TestApp;

    beforeAll(async () => {
      vault = await FakeVault.start();
      vault.addAppRole({ roleId: 'integration-service', secretId: 'approle-secret-id', tokenTtl: 2 });
      t = await startApp(db, vault, {
        VAULT_TOKEN: '',
        VAULT_ROLE_ID: 'integration-service',
        VAULT_SECRET_ID: 'approle-secret-id',
      });
    });

    afterAll(async () => {
      expect(t.rawLogs()).not.toContain('approle-secret-id');
      for (const token of vault.issuedTokens()) expect(t.rawLogs()).not.toContain(token);
      await t.close();
      await vault.stop();
    });

    it('logs in at start and renews its short-lived token before it expires', async () => {
      expect(vault.requestCount('auth/approle/login')).toBe(1);
      const token = vault.issuedTokens('auth/approle')[0];
      // TTL 2 s: renewal at 2/3 of it; three seconds later the first token is still the one in use.
      await eventually(async () => vault.requestCount('auth/token/renew-self') >= 2, 'two renewals', 4000);
      expect(vault.isTokenValid(token)).toBe(true);
      expect(await probe(t).roundTrip()).toBe(200);
      expect(vault.requestCount('auth/approle/login')).toBe(1);
    });

    it('an expired token: the next request logs in again and succeeds; readiness stays 200', async () => {
      const logins = vault.requestCount('auth/approle/login');
      for (const token of vault.issuedTokens('auth/approle')) vault.expireToken(token);
      expect(await probe(t).roundTrip()).toBe(200);
      expect(vault.requestCount('auth/approle/login')).toBe(logins + 1);

      for (const token of vault.issuedTokens('auth/approle')) vault.expireToken(token);
      expect((await t.inject('/api/v1/health/readiness')).statusCode).toBe(200);
      expect(vault.requestCount('auth/approle/login')).toBe(logins + 2);
    });

    it('a revoked secret id (login rejected): readiness 503 naming login_failed', async () => {
      vault.addAppRole({ roleId: 'integration-service', secretId: 'rotated-elsewhere', tokenTtl: 2 });
      for (const token of vault.issuedTokens('auth/approle')) vault.revokeToken(token);
      const ready = await t.inject('/api/v1/health/readiness');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        error: {
          vault: { message: 'The Vault login (AppRole/Kubernetes) is rejected (state: login_failed)' },
        },
      });
      const res = await probe(t).encrypt(sessionString());
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ message: 'The secret store (Vault) is unavailable: login_failed' });

      vault.addAppRole({ roleId: 'integration-service', secretId: 'approle-secret-id', tokenTtl: 2 });
      await eventually(async () => (await t.inject('/api/v1/health/readiness')).statusCode === 200, 'ready');
      expect(await probe(t).roundTrip()).toBe(200);
    });
  });

  describe('Vault down when the service starts', () => {
    let vault: FakeVault;
    let t: TestApp;

    beforeAll(async () => {
      vault = await FakeVault.start();
      await vault.goDown();
    });

    afterAll(async () => {
      await t?.close();
      await vault.stop();
    });

    it('boots and serves /health (readiness 503), then recovers when Vault comes up', async () => {
      const { value, ms } = await timed(() => startApp(db, vault));
      t = value;
      expect(ms).toBeLessThan(5000);
      expect((await t.inject('/health')).statusCode).toBe(200);
      expect((await t.inject('/api/v1/health/liveness')).statusCode).toBe(200);
      const ready = await t.inject('/api/v1/health/readiness');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ error: { vault: { status: 'down' } } });
      expect((await probe(t).encrypt(sessionString())).statusCode).toBe(503);

      await vault.comeBack();
      await eventually(async () => (await t.inject('/api/v1/health/readiness')).statusCode === 200, 'ready');
      expect(vault.transit.get(KEY)).toMatchObject({ derived: true });
      expect(await probe(t).roundTrip()).toBe(200);
    });
  });
});
