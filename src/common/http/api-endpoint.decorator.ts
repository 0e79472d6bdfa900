import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
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
