import { STATUS_CODES } from 'node:http';
import type { OpenAPIObject } from '@nestjs/swagger';

const ERROR_SCHEMA = '#/components/schemas/ErrorResponseDto';

/** The code a status answers with when the response's description names none. */
const DEFAULT_CODE: Readonly<Record<number, string>> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'api_key_scope_missing',
  404: 'not_found',
  408: 'request_timeout',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  414: 'uri_too_long',
  422: 'unprocessable',
  429: 'rate_limited',
  431: 'request_header_fields_too_large',
  503: 'dependency_unavailable',
};

/** Fields only some statuses carry, as the error filter writes them. */
const EXTRA: Readonly<Record<number, Record<string, unknown>>> = {
  400: { errors: [{ field: 'size', message: 'size must not be greater than 100' }] },
  403: { required_scope: 'messages:send' },
  429: { retry_after: 30 },
  503: { dependency: 'database' },
};

type MediaType = { schema?: { $ref?: string }; example?: unknown; examples?: unknown };
type Response = { description?: string; content?: Record<string, MediaType> };

/**
 * Gives every error response of the document an example of its own status and code, so Swagger UI
 * stops showing the one example of ErrorResponseDto (a 400) under a 401, 409 or 503. The code is the
 * first `backticked_code` of the response's description (where a route names its codes), else the
 * status's usual one; the message is the description.
 */
export function addErrorExamples(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, { responses?: Record<string, Response> }>)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const media = response.content?.['application/json'];
        if (!media || media.schema?.$ref !== ERROR_SCHEMA || media.example || media.examples) continue;
        media.example = errorExample(Number(status), response.description ?? '');
      }
    }
  }
}

export function errorExample(status: number, description: string): Record<string, unknown> {
  const named = /`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`/.exec(description)?.[1];
  const code = named ?? DEFAULT_CODE[status] ?? 'error';
  const message = description.replace(/\s*\(`[^)]*`\)/g, '').trim() || (STATUS_CODES[status] ?? 'Error');
  return {
    status_code: status,
    error: STATUS_CODES[status] ?? 'Error',
    code,
    message,
    ...(code === 'validation_failed' ? EXTRA[400] : status === 400 ? {} : (EXTRA[status] ?? {})),
    request_id: '8c0e0f7e-55a4-4c2b-9f0e-4d8f0c1f2a3b',
  };
}
