import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeVault } from '../../../test/fakes/vault';
import { loadConfig } from '../../config/app-config';
import type { Env } from '../../config/env';
import { VaultClient } from '../../vault/vault-client';
import { VaultKvReader } from '../../vault/vault-kv';
import { CipherNotConfiguredError, VaultUnavailableError } from '../../vault/vault.errors';
import {
  TelegramCredentialsMissingError,
  TelegramCredentialsProvider,
} from './telegram-credentials.provider';

const KV = 'integrations/telegram';
const API_HASH = '0123456789abcdef0123456789abcdef';

describe('TelegramCredentialsProvider', () => {
  let vault: FakeVault;
  let dir: string;
  let clients: VaultClient[];

  beforeEach(async () => {
    vault = await FakeVault.start();
    dir = await mkdtemp(join(tmpdir(), 'tg-credentials-'));
    clients = [];
  });

  afterEach(async () => {
    clients.forEach((c) => c.stop());
    await vault.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function withVault(env: Env = {}): TelegramCredentialsProvider {
    const config = loadConfig({ VAULT_URL: vault.url, VAULT_TOKEN: vault.rootToken, DATA_DIR: dir, ...env });
    const client = new VaultClient({ url: vault.url, token: vault.rootToken, timeoutMs: 300 });
    clients.push(client);
    return new TelegramCredentialsProvider(config, new VaultKvReader(client));
  }

  function withoutVault(env: Env = {}): TelegramCredentialsProvider {
    const config = loadConfig({ DATA_DIR: dir, ...env });
    return new TelegramCredentialsProvider(config, null);
  }

  it('environment values win, without asking Vault', async () => {
    vault.putKv(KV, { api_id: 1, api_hash: 'from-vault' });
    const provider = withVault({ TELEGRAM_API_ID: '12345', TELEGRAM_API_HASH: API_HASH });
    expect(await provider.get()).toEqual({ apiId: 12345, apiHash: API_HASH, source: 'environment' });
    expect(vault.requestCount(`secret/data/${KV}`)).toBe(0);
  });

  it('reads {api_id, api_hash} from Vault KV v2 when the environment has none, and caches it', async () => {
    vault.putKv(KV, { api_id: '777', api_hash: API_HASH });
    const provider = withVault();
    expect(await provider.get()).toEqual({ apiId: 777, apiHash: API_HASH, source: 'vault' });
    expect(await provider.require()).toEqual({ apiId: 777, apiHash: API_HASH, source: 'vault' });
    expect(vault.requestCount(`secret/data/${KV}`, 'GET')).toBe(1);
  });

  it('honours VAULT_KV_TELEGRAM_PATH', async () => {
    vault.putKv('teams/tg', { api_id: 42, api_hash: API_HASH });
    const provider = withVault({ VAULT_KV_TELEGRAM_PATH: 'secret/data/teams/tg' });
    expect(await provider.get()).toMatchObject({ apiId: 42, source: 'vault' });
  });

  it('no secret in Vault: undefined; require() names both ways to configure it', async () => {
    const provider = withVault();
    expect(await provider.get()).toBeUndefined();
    const error = await provider.require().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramCredentialsMissingError);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'telegram_not_configured' });
    expect((error as Error).message).toContain('TELEGRAM_API_ID');
    expect((error as Error).message).toContain('secret/data/integrations/telegram');
  });

  it('no Vault and no environment values: undefined', async () => {
    const provider = withoutVault();
    expect(await provider.get()).toBeUndefined();
    await expect(provider.require()).rejects.toBeInstanceOf(TelegramCredentialsMissingError);
  });

  it('no Vault, environment values: those', async () => {
    const provider = withoutVault({ TELEGRAM_API_ID: '5', TELEGRAM_API_HASH: API_HASH });
    expect(await provider.require()).toEqual({ apiId: 5, apiHash: API_HASH, source: 'environment' });
  });

  it('Vault unavailable and nothing cached: VaultUnavailableError (a 503), never undefined', async () => {
    vault.seal();
    await expect(withVault().get()).rejects.toMatchObject({
      name: 'VaultUnavailableError',
      reason: 'sealed',
    });
    await vault.goDown();
    await expect(withVault().get()).rejects.toBeInstanceOf(VaultUnavailableError);
  });

  it('Vault unavailable after a successful read: the cached value', async () => {
    vault.putKv(KV, { api_id: 9, api_hash: API_HASH });
    const provider = withVault();
    expect(await provider.get()).toMatchObject({ apiId: 9 });
    vault.seal();
    expect(await provider.get()).toMatchObject({ apiId: 9, source: 'vault' });
  });

  it('a secret without a valid api_id is a configuration error, not "missing"', async () => {
    vault.putKv(KV, { api_id: 'not-a-number', api_hash: API_HASH });
    await expect(withVault().get()).rejects.toBeInstanceOf(CipherNotConfiguredError);
  });
});
