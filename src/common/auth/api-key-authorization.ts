import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors/app-error';
import type { ApiKeyGrant } from './api-key-grant';
import type { ApiKeyScope } from './api-key-scopes';

/** Where a request names an account or a bot: path parameters and body fields of these names. */
const ACCOUNT_FIELDS = ['session_id'] as const;
const BOT_FIELDS = ['bot_id'] as const;

/**
 * Whether an API key may make this request: the route must declare a scope (a route without one
 * takes only the user's own token), the key must hold it, and an account or bot the request names
 * must be one the key is limited to, when it is limited.
 */
export function authorizeApiKey(
  grant: ApiKeyGrant,
  scope: ApiKeyScope | undefined,
  request: FastifyRequest,
): void {
  if (!scope)
    throw new ForbiddenError('api_key_not_allowed', 'This route takes the user’s own token, not an API key');
  if (!grant.scopes.includes(scope))
    throw new ForbiddenError('api_key_scope_missing', `This API key lacks the scope ${scope}`, {
      required_scope: scope,
    });
  assertApiKeyMayName(grant, request.params);
  assertApiKeyMayName(grant, request.body);
}

/**
 * Fails when `source` (path parameters, a JSON body, a parsed multipart form) names an account or
 * a bot the key is not limited to. A route that reads its body itself (multipart) calls it on what it read.
 */
export function assertApiKeyMayName(grant: ApiKeyGrant | undefined, source: unknown): void {
  if (!grant || typeof source !== 'object' || source === null) return;
  check(source as Record<string, unknown>, ACCOUNT_FIELDS, grant.accountIds, 'account');
  check(source as Record<string, unknown>, BOT_FIELDS, grant.botIds, 'bot');
}

function check(
  source: Record<string, unknown>,
  fields: readonly string[],
  allowed: readonly string[] | null,
  what: 'account' | 'bot',
): void {
  if (!allowed) return;
  for (const field of fields) {
    const value = source[field];
    if (value !== undefined && (typeof value !== 'string' || !allowed.includes(value)))
      throw new ForbiddenError(
        'api_key_resource_forbidden',
        `This API key is not allowed to act on this ${what}`,
        {
          field,
        },
      );
  }
}

/** The rows of a list an API key may see: all of them, or those it is limited to. */
export function visibleToApiKey<T extends { id: string }>(
  grant: ApiKeyGrant | undefined,
  what: 'account' | 'bot',
  rows: T[],
): T[] {
  const allowed = what === 'account' ? grant?.accountIds : grant?.botIds;
  return allowed ? rows.filter((row) => allowed.includes(row.id)) : rows;
}
