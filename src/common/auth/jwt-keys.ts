import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../../config/app-config';
import { ensureKeysDir } from '../../config/data-dir';

/** Where the development JWT secret lives: generated once, kept private to this user. */
export function devSecretPath(dataDir: string): string {
  return join(dataDir, 'keys', 'jwt-secret');
}

/**
 * Development default: with no JWT setting outside production, use a secret generated into
 * `<dataDir>/keys/jwt-secret` (mode 0600). Production without a JWT setting was already refused
 * by the configuration check.
 */
export function ensureJwtKeys(config: AppConfig): AppConfig {
  const { jwt } = config;
  if (jwt.secret || jwt.publicKey || jwt.jwksUrl) return config;
  return { ...config, jwt: { ...jwt, secret: readOrCreateDevSecret(config.dataDir), generated: true } };
}

export function readOrCreateDevSecret(dataDir: string): string {
  const path = devSecretPath(dataDir);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  ensureKeysDir(dataDir);
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return secret;
}
