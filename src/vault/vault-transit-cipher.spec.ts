import type { FakeVault } from '../../test/fakes/vault';
import type { SecretEnvelope } from './cipher';
import {
  caught,
  KEY,
  MARGIN,
  printed,
  SESSION,
  TIMEOUT,
  TransitSpecContext,
} from '../../test/support/vault-transit-spec';
import type { VaultCallEvent } from './vault-client';
import { VaultTransitCipher } from './vault-transit-cipher';
import { CipherNotConfiguredError, SecretDecryptionError, VaultUnavailableError } from './vault.errors';

describe('VaultTransitCipher', () => {
  const ctx = new TransitSpecContext();
  const { make } = ctx;
  let vault: FakeVault;
  let logs: string[];

  beforeEach(async () => ({ vault, logs } = await ctx.setUp()));

  afterEach(() => ctx.tearDown());

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
});
