import { FakeVault } from '../../test/fakes/vault';
import { sleep } from '../../test/support/vault-transit-spec';
import { VaultClient } from './vault-client';
import { type KvSecretOptions, VaultKvReader } from './vault-kv';
import { CipherNotConfiguredError, VaultSecretNotFoundError } from './vault.errors';

/** A feature's parser, e.g. the Telegram API credentials' `{api_id, api_hash}`. */
function parseApp(data: Record<string, unknown>, path: string): { apiId: number; apiHash: string } {
  const apiId = typeof data.api_id === 'string' ? Number(data.api_id) : data.api_id;
  if (
    typeof apiId !== 'number' ||
    !Number.isSafeInteger(apiId) ||
    typeof data.api_hash !== 'string' ||
    !data.api_hash
  )
    throw new CipherNotConfiguredError(
      `Vault secret ${path} must hold api_id (integer) and api_hash (string)`,
    );
  return { apiId, apiHash: data.api_hash };
}

describe('VaultKvReader', () => {
  let vault: FakeVault;
  let client: VaultClient;

  function secret(options: Partial<KvSecretOptions<ReturnType<typeof parseApp>>> = {}) {
    return new VaultKvReader(client).secret({
      path: 'secret/data/integrations/telegram',
      name: 'app credentials',
      parse: parseApp,
      ...options,
    });
  }

  beforeEach(async () => {
    vault = await FakeVault.start();
    client = new VaultClient({ url: vault.url, token: vault.rootToken, timeoutMs: 300 });
  });

  afterEach(async () => {
    client.stop();
    await vault.stop();
  });

  it('reads the data of a KV v2 secret', async () => {
    vault.putKv('teams/a', { api_id: 7, note: 'x' });
    expect(await new VaultKvReader(client).read('secret/data/teams/a')).toEqual({ api_id: 7, note: 'x' });
    await expect(new VaultKvReader(client).read('/secret/data/none')).rejects.toThrow(
      VaultSecretNotFoundError,
    );
  });

  describe('a cached secret', () => {
    it('reads KV v2 {api_id, api_hash} and caches it', async () => {
      vault.putKv('integrations/telegram', { api_id: '123456', api_hash: 'abcdef0123456789' });
      const app = secret();
      expect(await app.get()).toEqual({ apiId: 123456, apiHash: 'abcdef0123456789' });
      expect(await app.get()).toEqual({ apiId: 123456, apiHash: 'abcdef0123456789' });
      expect(vault.requestCount('secret/data/integrations/telegram')).toBe(1);
    });

    it('re-reads after the TTL, and serves the cached value while Vault is unavailable', async () => {
      vault.putKv('custom/tg', { api_id: 1, api_hash: 'h1' });
      const app = secret({ path: 'secret/data/custom/tg', cacheTtlMs: 20 });
      expect(await app.get()).toEqual({ apiId: 1, apiHash: 'h1' });
      vault.putKv('custom/tg', { api_id: 2, api_hash: 'h2' });
      await sleep(30);
      expect(await app.get()).toEqual({ apiId: 2, apiHash: 'h2' });
      await sleep(30);
      await vault.goDown();
      expect(await app.get()).toEqual({ apiId: 2, apiHash: 'h2' });
    });

    it('says when the secret is missing or malformed, and never caches a malformed one', async () => {
      const app = secret();
      await expect(app.get()).rejects.toThrow(VaultSecretNotFoundError);
      vault.putKv('integrations/telegram', { api_id: 'abc', api_hash: '' });
      await expect(app.get()).rejects.toThrow(CipherNotConfiguredError);
      vault.putKv('integrations/telegram', { api_id: 5, api_hash: 'fixed' });
      expect(await app.get()).toEqual({ apiId: 5, apiHash: 'fixed' });
    });

    it('names the secret in the operation it reports', async () => {
      const operations: string[] = [];
      client.stop();
      client = new VaultClient({
        url: vault.url,
        token: vault.rootToken,
        onVaultCall: (event) => operations.push(event.operation),
      });
      vault.putKv('integrations/telegram', { api_id: 1, api_hash: 'h' });
      await secret().get();
      expect(operations).toEqual(['read app credentials']);
    });
  });
});
