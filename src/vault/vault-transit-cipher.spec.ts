import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeVault } from '../../test/fakes/vault';
import type { SecretEnvelope } from './cipher';
import {
  VaultTransitCipher,
  type VaultCallEvent,
  type VaultTransitCipherOptions,
} from './vault-transit-cipher';
import {
  CipherNotConfiguredError,
  SecretDecryptionError,
  VaultSecretNotFoundError,
  VaultUnavailableError,
} from './vault.errors';

const SESSION = '1BVtsOHYBu3Xo-session-string-with-full-account-access==';
const KEY = 'telegram-sessions';
const TIMEOUT = 300;
/** Scheduling slack allowed on top of timeoutMs. */
const MARGIN = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** Every way an error could be printed or logged. */
function printed(err: Error): string {
  return [String(err), err.stack ?? '', JSON.stringify(err), JSON.stringify(Object.entries(err))].join('\n');
}

describe('VaultTransitCipher', () => {
  let vault: FakeVault;
  let ciphers: VaultTransitCipher[];
  let logs: string[];

  function make(options: Partial<VaultTransitCipherOptions> = {}): VaultTransitCipher {
    const cipher = new VaultTransitCipher({
      url: vault.url,
      token: vault.rootToken,
      timeoutMs: TIMEOUT,
      logger: { log: (m) => logs.push(m), warn: (m) => logs.push(m) },
      ...options,
    });
    ciphers.push(cipher);
    return cipher;
  }

  beforeEach(async () => {
    vault = await FakeVault.start();
    ciphers = [];
    logs = [];
  });

  afterEach(async () => {
    await Promise.all(ciphers.map((c) => c.stop()));
    await vault.stop();
  });

  describe('key setup', () => {
    it('creates the derived transit key when missing', async () => {
      await make().start();
      const key = vault.transit.get(KEY);
      expect(key).toMatchObject({ derived: true, type: 'aes256-gcm96', latestVersion: 1 });
      expect(vault.requestCount(`transit/keys/${KEY}`, 'POST')).toBe(1);
    });

    it('uses an existing derived key as it is', async () => {
      vault.transit.create(KEY, { derived: true });
      vault.transit.rotate(KEY);
      const cipher = make();
      await cipher.start();
      expect(vault.requestCount(`transit/keys/${KEY}`, 'POST')).toBe(0);
      expect((await cipher.encrypt('x', 1)).key_version).toBe(2);
    });

    it('refuses a key that is not derived', async () => {
      vault.transit.create(KEY, { derived: false });
      const err = await caught(make().start());
      expect(err).toBeInstanceOf(CipherNotConfiguredError);
      expect(err.message).toMatch(/not a derived key/);
    });

    it('says clearly when it may not create the key', async () => {
      const token = vault.createToken({ deny: [{ path: 'transit/keys/', methods: ['POST', 'PUT'] }] });
      const err = await caught(make({ token }).start());
      expect(err).toBeInstanceOf(CipherNotConfiguredError);
      expect(err.message).toMatch(
        /not permitted to create it \(403 on POST transit\/keys\/telegram-sessions\)/,
      );
      expect(err.message).not.toContain(token);
    });

    it('does not create the key when told not to', async () => {
      await expect(make({ createKeyIfMissing: false }).start()).rejects.toThrow(CipherNotConfiguredError);
      expect(vault.transit.get(KEY)).toBeUndefined();
    });

    it('carries on (with a warning) when it may not read the key', async () => {
      vault.transit.create(KEY, { derived: true });
      const token = vault.createToken({ deny: [{ path: 'transit/keys/', methods: ['GET'] }] });
      const cipher = make({ token });
      await cipher.start();
      expect(logs.some((l) => /denies reading transit\/keys\/telegram-sessions/.test(l))).toBe(true);
      expect(await cipher.decrypt(await cipher.encrypt('x', 1), 1)).toBe('x');
    });

    it('validates its options', () => {
      expect(() => new VaultTransitCipher({ url: 'not a url', token: 't' })).toThrow(
        CipherNotConfiguredError,
      );
      expect(() => new VaultTransitCipher({ url: vault.url })).toThrow(/token, AppRole or Kubernetes/);
      expect(() => new VaultTransitCipher({ url: vault.url, token: 't', timeoutMs: 0 })).toThrow(/timeout/);
    });
  });

  describe('encrypt / decrypt', () => {
    it('round-trips; the envelope holds a vault ciphertext and no plaintext', async () => {
      const cipher = make();
      const envelope = await cipher.encrypt(SESSION, 42);
      expect(envelope).toEqual({
        v: 1,
        cipher: 'vault-transit',
        key: KEY,
        key_version: 1,
        ciphertext: expect.stringMatching(/^vault:v1:[A-Za-z0-9+/]+=*$/) as string,
      });
      const json = JSON.stringify(envelope);
      expect(json).not.toContain(SESSION);
      expect(json).not.toContain(Buffer.from(SESSION).toString('base64'));
      expect(await cipher.decrypt(envelope, 42)).toBe(SESSION);
    });

    it('handles unicode and empty strings', async () => {
      const cipher = make();
      for (const text of ['', 'пароль 🔐', 'x'.repeat(10_000)]) {
        expect(await cipher.decrypt(await cipher.encrypt(text, 3), 3)).toBe(text);
      }
    });

    it('binds the user id: another user cannot decrypt', async () => {
      const cipher = make();
      const envelope = await cipher.encrypt(SESSION, 1);
      const err = await caught(cipher.decrypt(envelope, 2));
      expect(err).toBeInstanceOf(SecretDecryptionError);
      expect((err as SecretDecryptionError).reason).toBe('authentication_failed');
      expect(printed(err)).not.toContain(envelope.ciphertext);
    });

    it('detects tampered and foreign envelopes', async () => {
      const cipher = make();
      const envelope = await cipher.encrypt(SESSION, 1);
      const raw = Buffer.from(envelope.ciphertext.slice('vault:v1:'.length), 'base64');
      raw[raw.length - 1] ^= 1;
      const reason = async (env: SecretEnvelope): Promise<string> =>
        ((await caught(cipher.decrypt(env, 1))) as SecretDecryptionError).reason;
      expect(await reason({ ...envelope, ciphertext: `vault:v1:${raw.toString('base64')}` })).toBe(
        'authentication_failed',
      );
      expect(await reason({ ...envelope, ciphertext: 'vault:v7:AAAA' })).toBe('unknown_key_version');
      expect(await reason({ ...envelope, ciphertext: 'plain' })).toBe('malformed');
      expect(await reason({ ...envelope, cipher: 'local-aes-256-gcm' })).toBe('wrong_cipher');
      expect(await reason({ ...envelope, key: 'missing-key' })).toBe('key_not_found');
    });

    it('makes one Vault round trip per encrypt and per decrypt once started', async () => {
      const cipher = make();
      await cipher.start();
      vault.resetRequests();
      const envelope = await cipher.encrypt(SESSION, 5);
      expect(vault.requests()).toEqual([{ method: 'POST', path: `transit/encrypt/${KEY}`, status: 200 }]);
      vault.resetRequests();
      await cipher.decrypt(envelope, 5);
      expect(vault.requests()).toEqual([{ method: 'POST', path: `transit/decrypt/${KEY}`, status: 200 }]);
    });

    it('reports each round trip to onVaultCall', async () => {
      const events: VaultCallEvent[] = [];
      const cipher = make({ onVaultCall: (e) => events.push(e) });
      await cipher.encrypt('x', 1);
      expect(events.map((e) => `${e.operation}:${e.outcome}:${e.status ?? ''}`)).toEqual([
        'token lookup:success:',
        'read key:error:404',
        'create key:success:',
        'encrypt:success:',
      ]);
      expect(events.every((e) => e.durationMs >= 0)).toBe(true);
    });

    it('refuses a version below min_decryption_version', async () => {
      const cipher = make();
      const old = await cipher.encrypt('x', 1);
      await cipher.rotateKey();
      vault.transit.get(KEY)!.minDecryptionVersion = 2;
      expect(((await caught(cipher.decrypt(old, 1))) as SecretDecryptionError).reason).toBe(
        'version_disallowed',
      );
    });
  });

  describe('batches', () => {
    it('encrypts and decrypts a batch in one round trip each', async () => {
      const cipher = make();
      await cipher.start();
      vault.resetRequests();
      const items = [1, 2, 3, 4, 5].map((userId) => ({ plaintext: `session-${userId}`, userId }));
      const envelopes = await cipher.encryptMany(items);
      expect(vault.requestCount()).toBe(1);
      expect(envelopes.every((e) => e.key_version === 1 && e.cipher === 'vault-transit')).toBe(true);
      vault.resetRequests();
      const results = await cipher.decryptMany(envelopes.map((envelope, i) => ({ envelope, userId: i + 1 })));
      expect(vault.requestCount()).toBe(1);
      expect(results).toEqual(items.map((i) => ({ ok: true, value: i.plaintext })));
      expect(await cipher.encryptMany([])).toEqual([]);
    });

    it('reports per item which ones did not decrypt, still in one round trip', async () => {
      const cipher = make();
      const envelopes = await cipher.encryptMany([
        { plaintext: 'a', userId: 1 },
        { plaintext: 'b', userId: 2 },
      ]);
      vault.resetRequests();
      const results = await cipher.decryptMany([
        { envelope: envelopes[0], userId: 1 },
        { envelope: envelopes[1], userId: 1 },
        { envelope: { ...envelopes[0], cipher: 'local-aes-256-gcm' }, userId: 1 },
      ]);
      expect(vault.requestCount()).toBe(1);
      expect(results[0]).toEqual({ ok: true, value: 'a' });
      expect(!results[1].ok && results[1].error.reason).toBe('authentication_failed');
      expect(!results[2].ok && results[2].error.reason).toBe('wrong_cipher');
    });

    it('rotates and rewraps a batch in one round trip; everything still decrypts', async () => {
      const cipher = make();
      const envelopes = await cipher.encryptMany(
        [1, 2, 3].map((userId) => ({ plaintext: `s${userId}`, userId })),
      );
      expect(await cipher.rotateKey()).toBe(2);
      expect(await cipher.currentKeyVersion()).toBe(2);
      vault.resetRequests();
      const rewrapped = await cipher.rewrapMany(
        envelopes.map((envelope, i) => ({ envelope, userId: i + 1 })),
      );
      expect(vault.requests()).toEqual([{ method: 'POST', path: `transit/rewrap/${KEY}`, status: 200 }]);
      const fresh = rewrapped.map((r) => (r.ok ? r.value : undefined));
      expect(fresh.map((e) => e?.key_version)).toEqual([2, 2, 2]);
      for (const [i, envelope] of fresh.entries())
        expect(await cipher.decrypt(envelope!, i + 1)).toBe(`s${i + 1}`);
      for (const [i, envelope] of envelopes.entries())
        expect(await cipher.decrypt(envelope, i + 1)).toBe(`s${i + 1}`);
    });

    it('isolates an item that fails authentication in a rewrap batch (Vault aborts such a batch)', async () => {
      const cipher = make();
      const envelopes = await cipher.encryptMany(
        [1, 2, 3, 4].map((userId) => ({ plaintext: `s${userId}`, userId })),
      );
      await cipher.rotateKey();
      const results = await cipher.rewrapMany(
        envelopes.map((envelope, i) => ({ envelope, userId: i === 2 ? 99 : i + 1 })),
      );
      expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
      expect(!results[2].ok && results[2].error.reason).toBe('authentication_failed');
      expect(results[3].ok && results[3].value.key_version).toBe(2);
    });
  });

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

  describe('health', () => {
    it.each([
      ['active', 'up'],
      ['standby', 'up'],
      ['perf_standby', 'up'],
      ['dr_secondary', 'down'],
      ['sealed', 'down'],
      ['uninitialized', 'down'],
    ] as const)('tells %s apart (%s)', async (state, status) => {
      vault.setState(state);
      const health = await make().health();
      expect(health).toMatchObject({ status, state, version: '1.17.2' });
      expect(health.latency_ms).toBeGreaterThanOrEqual(0);
    });

    it('is down (timeout) within timeoutMs when Vault is slow', async () => {
      vault.setSlow(3000);
      const started = Date.now();
      expect(await make().health()).toMatchObject({ status: 'down', state: 'timeout' });
      expect(Date.now() - started).toBeLessThan(TIMEOUT + MARGIN);
    });

    it('is down (timeout) within timeoutMs when only the transit probe is slow', async () => {
      const cipher = make();
      await cipher.start();
      vault.setSlow(3000, { paths: ['transit/encrypt/'] });
      const started = Date.now();
      expect(await cipher.health()).toMatchObject({ status: 'down', state: 'timeout' });
      expect(Date.now() - started).toBeLessThan(TIMEOUT + MARGIN);
    });

    it('reuses one keep-alive connection across calls (the agent reaches axios through node-vault)', async () => {
      vault.resetRequests();
      const cipher = make();
      await cipher.start();
      for (let i = 0; i < 10; i++)
        expect(await cipher.decrypt(await cipher.encrypt(SESSION, i), i)).toBe(SESSION);
      await cipher.health();
      expect(vault.requestCount()).toBeGreaterThan(22);
      expect(vault.connectionCount()).toBe(1);
    });

    it('checks the service can use Vault: one encrypt under a context no user has', async () => {
      const cipher = make();
      await cipher.start();
      vault.resetRequests();
      expect(await cipher.health()).toMatchObject({ status: 'up', state: 'active' });
      expect(vault.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET sys/health',
        `POST transit/encrypt/${KEY}`,
      ]);
    });

    it('a token Vault refuses (403) is down with state forbidden, and up again once allowed', async () => {
      const cipher = make();
      await cipher.start();
      vault.setForbidden(true);
      expect(await cipher.health()).toMatchObject({ status: 'down', state: 'forbidden', version: '1.17.2' });
      vault.setForbidden(false);
      expect(await cipher.health()).toMatchObject({ status: 'up', state: 'active' });
    });

    it('an expired AppRole token: the health check logs in again and is up', async () => {
      vault.addAppRole({ roleId: 'role', secretId: 'secret', tokenTtl: 600 });
      const cipher = make({ token: undefined, approle: { roleId: 'role', secretId: 'secret' } });
      await cipher.start();
      vault.expireToken(vault.issuedTokens('auth/approle')[0]);
      expect(await cipher.health()).toMatchObject({ status: 'up', state: 'active' });
      expect(vault.requestCount('auth/approle/login')).toBe(2);
    });

    it('a rejected login is login_failed; a missing key that may not be created is misconfigured', async () => {
      vault.addAppRole({ roleId: 'role', secretId: 'secret' });
      const bad = make({ token: undefined, approle: { roleId: 'role', secretId: 'wrong' } });
      expect(await bad.health()).toMatchObject({ status: 'down', state: 'login_failed' });
      const noKey = make({ createKeyIfMissing: false });
      expect(await noKey.health()).toMatchObject({ status: 'down', state: 'misconfigured' });
    });

    it('Vault down at start: the health check finishes the set-up once it is back', async () => {
      await vault.goDown();
      const cipher = make();
      await expect(cipher.start()).rejects.toBeInstanceOf(VaultUnavailableError);
      expect(await cipher.health()).toMatchObject({ status: 'down', state: 'unreachable' });
      await vault.comeBack();
      expect(await cipher.health()).toMatchObject({ status: 'up', state: 'active' });
      expect(vault.transit.get(KEY)).toMatchObject({ derived: true });
    });
  });

  describe('readTelegramCredentials', () => {
    it('reads KV v2 {api_id, api_hash} and caches it', async () => {
      vault.putKv('integrations/telegram', { api_id: '123456', api_hash: 'abcdef0123456789' });
      const cipher = make();
      expect(await cipher.readTelegramCredentials()).toEqual({ apiId: 123456, apiHash: 'abcdef0123456789' });
      expect(await cipher.readTelegramCredentials()).toEqual({ apiId: 123456, apiHash: 'abcdef0123456789' });
      expect(vault.requestCount('secret/data/integrations/telegram')).toBe(1);
    });

    it('re-reads after the TTL, and serves the cached value while Vault is unavailable', async () => {
      vault.putKv('custom/tg', { api_id: 1, api_hash: 'h1' });
      const cipher = make({ kvPath: 'secret/data/custom/tg', kvCacheTtlMs: 20 });
      expect(await cipher.readTelegramCredentials()).toEqual({ apiId: 1, apiHash: 'h1' });
      vault.putKv('custom/tg', { api_id: 2, api_hash: 'h2' });
      await sleep(30);
      expect(await cipher.readTelegramCredentials()).toEqual({ apiId: 2, apiHash: 'h2' });
      await sleep(30);
      await vault.goDown();
      expect(await cipher.readTelegramCredentials()).toEqual({ apiId: 2, apiHash: 'h2' });
    });

    it('says when the secret is missing or malformed', async () => {
      const cipher = make();
      await expect(cipher.readTelegramCredentials()).rejects.toThrow(VaultSecretNotFoundError);
      vault.putKv('integrations/telegram', { api_id: 'abc', api_hash: '' });
      await expect(cipher.readTelegramCredentials()).rejects.toThrow(CipherNotConfiguredError);
    });
  });
});
