/**
 * Builds the Vault client and the ciphers from the validated configuration, without Nest: the module
 * (vault.module.ts) and the rewrap command (src/cli) share it, so both see the same key ring path, transit key
 * and auth settings.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { ensureKeysDir } from '../config/data-dir';
import { LocalAesGcmCipher } from './local-cipher';
import { VaultClient, type VaultCallEvent, type VaultClientOptions, type VaultLogger } from './vault-client';
import { VaultTransitCipher } from './vault-transit-cipher';

export const LOCAL_KEYRING_FILE = 'local-keyring.json';

/** Where the local cipher keeps its key ring: `<DATA_DIR>/keys/local-keyring.json`. */
export function localKeyringPath(config: AppConfig): string {
  return join(config.dataDir, 'keys', LOCAL_KEYRING_FILE);
}

/** The local AES-256-GCM cipher; creates `<DATA_DIR>/keys` (0700) and, on first use, the key ring (0600). */
export function createLocalCipher(config: AppConfig, keyringPath?: string): LocalAesGcmCipher {
  if (keyringPath) return new LocalAesGcmCipher({ keyringPath });
  return new LocalAesGcmCipher({ keyringPath: join(ensureKeysDir(config.dataDir), LOCAL_KEYRING_FILE) });
}

/** The local cipher only when its key ring already exists (never creates one): a migration source. */
export function existingLocalCipher(config: AppConfig, keyringPath?: string): LocalAesGcmCipher | undefined {
  const path = keyringPath ?? localKeyringPath(config);
  return existsSync(path) ? new LocalAesGcmCipher({ keyringPath: path }) : undefined;
}

export interface VaultClientExtras {
  logger?: VaultLogger;
  onVaultCall?: (event: VaultCallEvent) => void;
}

/** The Vault client options from VAULT_* (the caller checks `config.vault.url` is set). */
export function vaultClientOptions(config: AppConfig, extras: VaultClientExtras = {}): VaultClientOptions {
  const { vault } = config;
  if (!vault.url) throw new Error('VAULT_URL is not set');
  return {
    url: vault.url,
    token: vault.token,
    approle: vault.roleId && vault.secretId ? { roleId: vault.roleId, secretId: vault.secretId } : undefined,
    kubernetes: vault.k8sRole ? { role: vault.k8sRole, tokenPath: vault.k8sTokenPath } : undefined,
    timeoutMs: vault.timeoutMs,
    ...(config.tls.vault.enabled ? { tls: config.tls.vault } : {}),
    ...extras,
  };
}

/** The transit cipher on `client`, or on a client of its own built from VAULT_*. */
export function createVaultCipher(
  config: AppConfig,
  client: VaultClient | VaultClientExtras = {},
): VaultTransitCipher {
  const transitKey = config.vault.transitKey;
  return client instanceof VaultClient
    ? new VaultTransitCipher({ client, transitKey })
    : new VaultTransitCipher({ ...vaultClientOptions(config, client), transitKey });
}
