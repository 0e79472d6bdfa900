import type { OpenAPIObject } from '@nestjs/swagger';
import { addErrorExamples, errorExample } from './error-examples';

const errorContent = (): Record<string, { schema: object }> => ({
  'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } },
});

describe('error examples in the OpenAPI document', () => {
  it('each status gets its own status_code, reason phrase and usual code', () => {
    expect(errorExample(401, 'Missing, malformed, expired or wrongly signed token')).toMatchObject({
      status_code: 401,
      error: 'Unauthorized',
      code: 'unauthorized',
      message: 'Missing, malformed, expired or wrongly signed token',
    });
    expect(errorExample(503, 'A dependency is unavailable; see Retry-After')).toMatchObject({
      status_code: 503,
      error: 'Service Unavailable',
      code: 'dependency_unavailable',
      dependency: 'database',
    });
    expect(errorExample(429, 'Rate limit reached')).toMatchObject({ code: 'rate_limited', retry_after: 30 });
    const invalid = errorExample(400, 'A parameter is invalid');
    expect(invalid).toMatchObject({ code: 'validation_failed', errors: [expect.anything()] });
    expect(errorExample(404, 'No such resource')).not.toHaveProperty('errors');
  });

  it('a code the description names wins, and leaves the message', () => {
    expect(errorExample(409, 'The bot is inactive (`bot_inactive`)')).toMatchObject({
      status_code: 409,
      error: 'Conflict',
      code: 'bot_inactive',
      message: 'The bot is inactive',
    });
  });

  it('fills error responses without an example and leaves the others alone', () => {
    type Media = { schema: object; example?: Record<string, unknown> };
    const responses: Record<string, { description: string; content: Record<string, Media> }> = {
      '401': { description: 'No token', content: errorContent() },
      '409': { description: 'Busy (`telegram_session_busy`)', content: errorContent() },
      '503': {
        description: 'Down',
        content: { 'application/json': { schema: {}, example: { status: 'down' } } },
      },
    };
    const document = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: { '/x': { post: { responses } } },
    } as unknown as OpenAPIObject;
    addErrorExamples(document);
    const example = (status: string) => responses[status]?.content['application/json']?.example;
    expect(example('401')).toMatchObject({ status_code: 401, code: 'unauthorized' });
    expect(example('409')).toMatchObject({ status_code: 409, code: 'telegram_session_busy' });
    expect(example('503')).toEqual({ status: 'down' });
  });
});
