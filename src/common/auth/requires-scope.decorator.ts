import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiSecurity } from '@nestjs/swagger';
import type { ApiKeyScope } from './api-key-scopes';

export const REQUIRED_SCOPE = 'auth:required-scope';
/** The OpenAPI security scheme of API keys (registered in openapi.ts). */
export const API_KEY_SECURITY = 'api-key';

/**
 * The scope an API key needs for this route. A user's own token may call every route; an API key
 * only the routes whose scope it holds (403 `api_key_scope_missing` otherwise). A route without this
 * decorator takes no API key at all. OpenAPI shows the scope as `x-required-scope`.
 */
export const RequiresScope = (scope: ApiKeyScope): MethodDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    ApiExtension('x-required-scope', scope),
    ApiSecurity(API_KEY_SECURITY),
  );
