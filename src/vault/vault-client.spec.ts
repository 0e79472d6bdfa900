import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeVault } from '../../test/fakes/vault';
import {
  caught,
  KEY,
  MARGIN,
  printed,
  SESSION,
  sleep,
  TIMEOUT,
  TransitSpecContext,
} from '../../test/support/vault-transit-spec';
import { VaultUnavailableError } from './vault.errors';

/** The client's transport, faults, authentication and token upkeep, driven through the transit cipher. */
describe('VaultClient', () => {
  const ctx = new TransitSpecContext();
  const { make } = ctx;
  let vault: FakeVault;
  let logs: string[];

  beforeEach(async () => ({ vault, logs } = await ctx.setUp()));

  afterEach(() => ctx.tearDown());

  describe('faults', () => {
    async function expectUnavailable(
      promise: Promise<unknown>,
      reason: VaultUnavailableError['reason'],
      within = TIMEOUT + MARGIN,
    ): Promise<VaultUnavailableError> {
      const started = Date.now();
      const err = await caught(promise);
      expect(Date.now() - started).toBeLessThan(within);
      expect(err).toBeInstanceOf(VaultUnavailableError);
      expect((err as VaultUnavailableError).reason).toBe(reason);
      expect(printed(err)).not.toContain(SESSION);
      expect(printed(err)).not.toContain(vault.rootToken);
      return err as VaultUnavailableError;
    }

    it('Vault down: unreachable, then recovers when it comes back', async () => {
      const cipher = make();
      const envelope = await cipher.encrypt(SESSION, 1);
      await vault.goDown();
      await expectUnavailable(cipher.encrypt(SESSION, 1), 'unreachable');
      await expectUnavailable(cipher.decrypt(envelope, 1), 'unreachable');
      expect(await cipher.health()).toMatchObject({ status: 'down', state: 'unreachable' });
      await vault.comeBack();
      expect(await cipher.decrypt(envelope, 1)).toBe(SESSION);
    });

    it('Vault down at start: retries the setup on the next call once it is back', async () => {
      await vault.goDown();
      const cipher = make();
      await expectUnavailable(cipher.encrypt(SESSION, 1), 'unreachable');
      await vault.comeBack();
      expect(await cipher.decrypt(await cipher.encrypt(SESSION, 1), 1)).toBe(SESSION);
      expect(vault.transit.get(KEY)?.derived).toBe(true);
    });

    it('sealed: unavailable (sealed), then recovers when unsealed', async () => {
      const cipher = make();
      await cipher.start();
      vault.seal();
      const err = await expectUnavailable(cipher.encrypt(SESSION, 1), 'sealed');
      expect(err.statusCode).toBe(503);
      vault.unseal();
      expect((await cipher.encrypt(SESSION, 1)).key_version).toBe(1);
    });

    it('403 with a static token: unavailable (forbidden)', async () => {
      const cipher = make();
      await cipher.start();
      vault.setForbidden(true);
      await expectUnavailable(cipher.encrypt(SESSION, 1), 'forbidden');
      vault.setForbidden(false);
      await expect(cipher.encrypt(SESSION, 1)).resolves.toBeDefined();
    });

    it('403 with AppRole: logs in again, retries once, then reports forbidden', async () => {
      vault.addAppRole({ roleId: 'role', secretId: 'secret' });
      const cipher = make({ token: undefined, approle: { roleId: 'role', secretId: 'secret' } });
      await cipher.start();
      vault.setForbidden(true);
      vault.resetRequests();
      await expectUnavailable(cipher.encrypt(SESSION, 1), 'forbidden');
      expect(vault.requestCount('auth/approle/login')).toBe(1);
      expect(vault.requestCount(`transit/encrypt/${KEY}`)).toBe(2);
    });

    it.each(['delay', 'trickle'] as const)(
      'slow (%s): timeout within timeoutMs, then recovers',
      async (mode) => {
        const cipher = make();
        const envelope = await cipher.encrypt(SESSION, 1);
        vault.setSlow(3000, { mode });
        await expectUnavailable(cipher.encrypt(SESSION, 1), 'timeout');
        await expectUnavailable(cipher.decrypt(envelope, 1), 'timeout');
        vault.setSlow(0);
        expect(await cipher.decrypt(envelope, 1)).toBe(SESSION);
      },
    );

    it('slow during setup: the first call is still bounded by timeoutMs', async () => {
      vault.setSlow(3000);
      await expectUnavailable(make().encrypt(SESSION, 1), 'timeout');
    });

    it('never puts plaintext, tokens or secret ids in errors or logs', async () => {
      vault.addAppRole({ roleId: 'role-id-1', secretId: 'secret-id-1' });
      const bad = make({ token: undefined, approle: { roleId: 'role-id-1', secretId: 'wrong-secret' } });
      const err = await expectUnavailable(bad.encrypt(SESSION, 1), 'login_failed');
      expect(err.statusCode).toBe(400);
      expect(printed(err)).not.toContain('wrong-secret');
      const good = make({ token: undefined, approle: { roleId: 'role-id-1', secretId: 'secret-id-1' } });
      await good.encrypt(SESSION, 1);
      vault.setSlow(3000);
      await expectUnavailable(good.encrypt(SESSION, 1), 'timeout');
      const secrets = [SESSION, 'secret-id-1', 'wrong-secret', vault.rootToken, ...vault.issuedTokens()];
      for (const line of logs) for (const secret of secrets) expect(line).not.toContain(secret);
    });
  });

  describe('authentication', () => {
    it('logs in with AppRole and uses the issued token', async () => {
      vault.addAppRole({ roleId: 'role', secretId: 'secret', tokenTtl: 600 });
      const cipher = make({ token: undefined, approle: { roleId: 'role', secretId: 'secret' } });
      expect(await cipher.decrypt(await cipher.encrypt(SESSION, 1), 1)).toBe(SESSION);
      expect(vault.issuedTokens('auth/approle')).toHaveLength(1);
    });

    it('logs in with Kubernetes using the service account token file', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'k8s-'));
      try {
        const tokenPath = join(dir, 'token');
        await writeFile(tokenPath, 'eyJ.sa.jwt\n');
        vault.addKubernetesRole({ role: 'integration', jwt: 'eyJ.sa.jwt' });
        const cipher = make({ token: undefined, kubernetes: { role: 'integration', tokenPath } });
        expect(await cipher.decrypt(await cipher.encrypt(SESSION, 1), 1)).toBe(SESSION);
        expect(vault.issuedTokens('auth/kubernetes')).toHaveLength(1);
        const unreadable = make({
          token: undefined,
          kubernetes: { role: 'integration', tokenPath: join(dir, 'none') },
        });
        expect(((await caught(unreadable.start())) as VaultUnavailableError).reason).toBe('login_failed');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('expired token: logs in again via AppRole and retries the call once', async () => {
      vault.addAppRole({ roleId: 'role', secretId: 'secret', tokenTtl: 600 });
      const cipher = make({ token: undefined, approle: { roleId: 'role', secretId: 'secret' } });
      const envelope = await cipher.encrypt(SESSION, 1);
      const [first] = vault.issuedTokens();
      vault.expireToken(first);
      vault.resetRequests();
      expect(await cipher.decrypt(envelope, 1)).toBe(SESSION);
      expect(vault.requests().map((r) => `${r.path}:${r.status}`)).toEqual([
        `transit/decrypt/${KEY}:403`,
        'auth/approle/login:200',
        `transit/decrypt/${KEY}:200`,
      ]);
      expect(vault.issuedTokens()).toHaveLength(2);
    });

    it('expired static token without a login method: forbidden', async () => {
      const token = vault.createToken({ ttl: 600 });
      const cipher = make({ token });
      await cipher.start();
      vault.expireToken(token);
      expect(((await caught(cipher.encrypt('x', 1))) as VaultUnavailableError).reason).toBe('forbidden');
    });

    it('renews the token (renew-self) before it expires', async () => {
      vault.addAppRole({ roleId: 'role', secretId: 'secret', tokenTtl: 3 });
      const cipher = make({
        token: undefined,
        approle: { roleId: 'role', secretId: 'secret' },
        renewFraction: 0.34,
      });
      await cipher.start();
      await sleep(1700);
      expect(vault.requestCount('auth/token/renew-self')).toBe(1);
      expect(vault.requestCount('auth/approle/login')).toBe(1);
      const [token] = vault.issuedTokens();
      expect(vault.tokenTtl(token)).toBeGreaterThanOrEqual(2);
    });

    it('renews a configured token too (TTL from lookup-self)', async () => {
      const token = vault.createToken({ ttl: 3 });
      const cipher = make({ token, renewFraction: 0.34 });
      await cipher.start();
      // lookup-self reports 2s (floored): renewal at ~0.68s, the next one at ~1.7s.
      await sleep(1200);
      expect(vault.requestCount('auth/token/lookup-self')).toBe(1);
      expect(vault.requestCount('auth/token/renew-self')).toBe(1);
      expect(vault.tokenTtl(token)).toBeGreaterThanOrEqual(2);
    });

    it('logs in again instead of renewing once max_ttl caps the token', async () => {
      vault.addAppRole({ roleId: 'role', secretId: 'secret', tokenTtl: 3, tokenMaxTtl: 4 });
      const cipher = make({
        token: undefined,
        approle: { roleId: 'role', secretId: 'secret' },
        renewFraction: 0.34,
      });
      await cipher.start();
      // renew at ~1.02s (TTL capped to 2s), login at ~1.7s, the new token's renewal at ~2.7s.
      await sleep(2200);
      expect(vault.requestCount('auth/token/renew-self')).toBe(1);
      expect(vault.requestCount('auth/approle/login')).toBe(2);
      expect(vault.isTokenValid(vault.issuedTokens().at(-1)!)).toBe(true);
    });

    it('logs in again when renewal is refused', async () => {
      vault.addAppRole({ roleId: 'role', secretId: 'secret', tokenTtl: 3 });
      const cipher = make({
        token: undefined,
        approle: { roleId: 'role', secretId: 'secret' },
        renewFraction: 0.34,
      });
      await cipher.start();
      vault.revokeToken(vault.issuedTokens()[0]);
      await sleep(1700);
      expect(
        vault
          .requests()
          .filter((r) => r.path === 'auth/token/renew-self')
          .map((r) => r.status),
      ).toEqual([403]);
      expect(vault.requestCount('auth/approle/login')).toBe(2);
      await expect(cipher.encrypt('x', 1)).resolves.toBeDefined();
    });

    it('stop() cancels renewal', async () => {
      vault.addAppRole({ roleId: 'role', secretId: 'secret', tokenTtl: 3 });
      const cipher = make({
        token: undefined,
        approle: { roleId: 'role', secretId: 'secret' },
        renewFraction: 0.34,
      });
      await cipher.start();
      await cipher.stop();
      await sleep(1700);
      expect(vault.requestCount('auth/token/renew-self')).toBe(0);
    });
  });
});
