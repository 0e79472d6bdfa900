import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX } from '../common/auth/api-key-grant';
/** The key's first characters kept in plaintext, for telling keys apart in a list. */
const SHOWN_CHARACTERS = API_KEY_PREFIX.length + 6;
const KEY_PATTERN = /^isk_[A-Za-z0-9_-]{43}$/;

export interface NewApiKeySecret {
  key: string;
  hash: string;
  prefix: string;
}

/** A new key: 32 random bytes (256 bits) in base64url after the prefix. */
export function newApiKeySecret(): NewApiKeySecret {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: apiKeyHash(key), prefix: key.slice(0, SHOWN_CHARACTERS) };
}

/**
 * SHA-256 of the key. A slow password hash is not needed: the key is 256 random bits, so its hash
 * cannot be searched back, and the lookup on every request stays one index probe.
 */
export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function isWellFormedApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}
