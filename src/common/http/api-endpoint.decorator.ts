import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ErrorResponseDto } from './error-response.dto';

/**
 * Everything a JWT-guarded API controller declares, in one place: bearer auth (enforced by the
 * global guard), the per-user API rate limit (not the health one), and the documented errors.
 */
export function ApiEndpoint(tag: string): ClassDecorator {
  return applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(),
    SkipThrottle({ health: true }),
    ApiBadRequestResponse({
      type: ErrorResponseDto,
      description: 'A parameter or body field is invalid, or the JSON is malformed or too deeply nested',
    }),
    ApiUnauthorizedResponse({
      type: ErrorResponseDto,
      description: 'Missing, malformed, expired or wrongly signed token',
    }),
    ApiForbiddenResponse({
      type: ErrorResponseDto,
      description:
        'An API key without the route’s scope (`api_key_scope_missing`), on a route that takes only the user’s token ' +
        '(`api_key_not_allowed`), or naming an account or bot it is not limited to (`api_key_resource_forbidden`)',
    }),
    ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such resource for this user' }),
    ApiTooManyRequestsResponse({
      type: ErrorResponseDto,
      description: 'Rate limit reached; see Retry-After',
    }),
    ApiPayloadTooLargeResponse({
      type: ErrorResponseDto,
      description: 'The body is larger than HTTP_BODY_LIMIT_BYTES',
    }),
    ApiServiceUnavailableResponse({
      type: ErrorResponseDto,
      description: 'A dependency is unavailable; see Retry-After',
    }),
  );
}
