/**
 * Builds the ciphers from the validated configuration, without Nest: the module (vault.module.ts) and the
 * rewrap CLI (rewrap-cli.ts) share it, so both see the same key ring path, transit key and auth settings.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { ensureKeysDir } from '../config/data-dir';
import { LocalAesGcmCipher } from './local-cipher';
import {
  VaultTransitCipher,
  type VaultCallEvent,
  type VaultCipherLogger,
  type VaultTransitCipherOptions,
} from './vault-transit-cipher';

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

export interface VaultCipherExtras {
  logger?: VaultCipherLogger;
  onVaultCall?: (event: VaultCallEvent) => void;
}

/** The Vault transit cipher options from VAULT_* (the caller checks `config.vault.url` is set). */
export function vaultCipherOptions(
  config: AppConfig,
  extras: VaultCipherExtras = {},
): VaultTransitCipherOptions {
  const { vault } = config;
  if (!vault.url) throw new Error('VAULT_URL is not set');
  return {
    url: vault.url,
    token: vault.token,
    approle: vault.roleId && vault.secretId ? { roleId: vault.roleId, secretId: vault.secretId } : undefined,
    kubernetes: vault.k8sRole ? { role: vault.k8sRole, tokenPath: vault.k8sTokenPath } : undefined,
    transitKey: vault.transitKey,
    kvPath: vault.kvTelegramPath,
    timeoutMs: vault.timeoutMs,
    ...extras,
  };
}

export function createVaultCipher(config: AppConfig, extras: VaultCipherExtras = {}): VaultTransitCipher {
  return new VaultTransitCipher(vaultCipherOptions(config, extras));
}
