import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeVault } from '../../test/fakes/vault';
import type { SecretEnvelope } from './cipher';
import { LocalAesGcmCipher } from './local-cipher';
import { rewrapEnvelopes, type RewrapItem } from './rewrap';
import { VaultTransitCipher } from './vault-transit-cipher';
import { CipherNotConfiguredError, SecretDecryptionError } from './vault.errors';

const KEY = 'telegram-sessions';

describe('rewrapEnvelopes', () => {
  let dir: string;
  let local: LocalAesGcmCipher;
  let vault: FakeVault;
  let transit: VaultTransitCipher;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewrap-'));
    local = new LocalAesGcmCipher({ keyringPath: join(dir, 'keyring.json') });
    vault = await FakeVault.start();
    transit = new VaultTransitCipher({ url: vault.url, token: vault.rootToken, timeoutMs: 1000 });
  });

  afterEach(async () => {
    await transit.stop();
    await vault.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function items(cipher: LocalAesGcmCipher | VaultTransitCipher, count: number): Promise<RewrapItem[]> {
    const plain = Array.from({ length: count }, (_, i) => ({ plaintext: `session-${i}`, userId: 100 + i }));
    const envelopes = await cipher.encryptMany(plain);
    return envelopes.map((envelope, i) => ({ envelope, userId: plain[i].userId }));
  }

  async function expectDecrypts(
    cipher: LocalAesGcmCipher | VaultTransitCipher,
    envelopes: SecretEnvelope[],
  ): Promise<void> {
    for (const [i, envelope] of envelopes.entries())
      expect(await cipher.decrypt(envelope, 100 + i)).toBe(`session-${i}`);
  }

  it('local → local: moves everything to the newest version; a second run skips all', async () => {
    const input = await items(local, 3);
    await local.rotateKey();
    const report = await rewrapEnvelopes(input, local);
    expect(report).toMatchObject({ rewrapped: 3, skipped: 0, failed: 0, migrated: 0, targetVersion: 2 });
    const envelopes = report.results.map((r) => r.envelope);
    expect(envelopes.every((e) => e.key_version === 2)).toBe(true);
    await expectDecrypts(local, envelopes);

    const again = await rewrapEnvelopes(
      envelopes.map((envelope, i) => ({ envelope, userId: 100 + i })),
      local,
    );
    expect(again).toMatchObject({ rewrapped: 0, skipped: 3 });
    expect(again.results.map((r) => r.envelope)).toEqual(envelopes);
  });

  it('vault → vault: transit/rewrap with batch_input, one round trip per batch; idempotent', async () => {
    const input = await items(transit, 5);
    await transit.rotateKey();
    vault.resetRequests();
    const report = await rewrapEnvelopes(input, transit, { batchSize: 2 });
    expect(report).toMatchObject({ rewrapped: 5, skipped: 0, failed: 0, targetVersion: 2 });
    expect(vault.requestCount(`transit/rewrap/${KEY}`)).toBe(3);
    expect(vault.requestCount(`transit/keys/${KEY}`, 'GET')).toBe(1);
    expect(vault.requestCount(`transit/decrypt/${KEY}`)).toBe(0);
    const envelopes = report.results.map((r) => r.envelope);
    expect(envelopes.every((e) => e.key_version === 2 && e.cipher === 'vault-transit')).toBe(true);
    await expectDecrypts(transit, envelopes);

    vault.resetRequests();
    const again = await rewrapEnvelopes(
      envelopes.map((envelope, i) => ({ envelope, userId: 100 + i })),
      transit,
    );
    expect(again).toMatchObject({ skipped: 5, rewrapped: 0 });
    expect(vault.requestCount(`transit/rewrap/${KEY}`)).toBe(0);
  });

  it('local → vault migration: decrypt locally, encryptMany in Vault; a second run skips all', async () => {
    const input = await items(local, 4);
    await transit.start();
    vault.resetRequests();
    const report = await rewrapEnvelopes(input, transit, { sources: [local] });
    expect(report).toMatchObject({ migrated: 4, rewrapped: 0, failed: 0, skipped: 0, targetVersion: 1 });
    expect(vault.requestCount(`transit/encrypt/${KEY}`)).toBe(1);
    const envelopes = report.results.map((r) => r.envelope);
    expect(envelopes.every((e) => e.cipher === 'vault-transit' && e.key === KEY)).toBe(true);
    await expectDecrypts(transit, envelopes);

    const again = await rewrapEnvelopes(
      envelopes.map((envelope, i) => ({ envelope, userId: 100 + i })),
      transit,
      { sources: [local] },
    );
    expect(again).toMatchObject({ skipped: 4, migrated: 0 });
  });

  it('mixed input: skips current, rewraps old, migrates local, reports failures without aborting', async () => {
    const current = await items(transit, 1);
    const old = await transit.encrypt('session-1', 101);
    const localOnes = await items(local, 3);
    const batch: RewrapItem[] = [
      current[0],
      { envelope: old, userId: 101 },
      { envelope: localOnes[2].envelope, userId: 102 },
      { envelope: localOnes[0].envelope, userId: 999 },
    ];
    await transit.rotateKey();
    batch[0] = { envelope: await transit.encrypt('session-0', 100), userId: 100 };
    const report = await rewrapEnvelopes(batch, transit, { sources: [local] });
    expect(report.results.map((r) => r.status)).toEqual(['skipped', 'rewrapped', 'migrated', 'failed']);
    expect(report.results[3].error).toBeInstanceOf(SecretDecryptionError);
    expect(report.results[3].envelope).toBe(batch[3].envelope);
    expect(await transit.decrypt(report.results[2].envelope, 102)).toBe('session-2');
  });

  it('fails items it has no source cipher for', async () => {
    const input = await items(local, 1);
    const report = await rewrapEnvelopes(input, transit);
    expect(report.failed).toBe(1);
    expect(report.results[0].error).toBeInstanceOf(CipherNotConfiguredError);
  });

  it('does nothing for an empty batch', async () => {
    vault.resetRequests();
    expect(await rewrapEnvelopes([], transit)).toMatchObject({ results: [], skipped: 0 });
    expect(vault.requestCount()).toBe(0);
  });
});
