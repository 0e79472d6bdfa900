import type { ApiKeyScope } from './api-key-scopes';

/** Every API key starts so: a secret scanner can recognise one, and a JWT (`eyJ…`) never does. */
export const API_KEY_PREFIX = 'isk_';

/** What an accepted API key lets its caller do, as the guards see it. */
export interface ApiKeyGrant {
  id: string;
  scopes: readonly ApiKeyScope[];
  /** When set, the key acts only on these accounts (telegram_sessions ids). */
  accountIds: readonly string[] | null;
  /** When set, the key acts only on these bots. */
  botIds: readonly string[] | null;
}

/**
 * The port through which authentication asks about an API key; the api-keys module provides it.
 * Resolves the user and grant of a live key, or null for an unknown, expired or revoked one.
 */
export interface ApiKeyResolver {
  resolve(key: string): Promise<{ userId: number; grant: ApiKeyGrant } | null>;
}

export const API_KEY_RESOLVER = Symbol('API_KEY_RESOLVER');
