/**
 * What an API key may do. Each route declares the one scope it needs (`@RequiresScope`); a route
 * without one takes only the user's own token (the API keys routes themselves: keys cannot make keys).
 */
export const API_KEY_SCOPES = [
  'accounts:read',
  'accounts:write',
  'bots:read',
  'bots:write',
  'channels:read',
  'channels:write',
  'messages:send',
  'messages:read',
  'logs:read',
  'webhooks:write',
] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}
