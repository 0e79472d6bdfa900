import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SECURITY } from './common/auth/requires-scope.decorator';
import { addErrorExamples } from './common/http/error-examples';
import type { AppConfig } from './config/app-config';

/** OpenAPI document at /openapi.json and Swagger UI at /docs, with bearer auth. */
export function setupOpenApi(app: NestFastifyApplication, config: AppConfig): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(config.appName)
      .setDescription(
        "Connects Content Factory users' Telegram accounts, bots and channels; keeps their session secrets " +
          'encrypted; records an audit log with error statistics. Every `/api/v1/telegram/**` route needs a ' +
          'bearer JWT whose `user_id` (or `sub`) claim names the platform user, or an API key (`X-API-Key`) holding ' +
          'the operation’s `x-required-scope` (see /api/v1/api-keys). Errors share one shape: ' +
          '`{status_code, error, code, message, request_id}` (+ `errors` per field on 400, `retry_after` on 429).',
      )
      .setVersion(config.version)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'A scoped API key (isk_…); also accepted as `Authorization: Bearer isk_…`',
        },
        API_KEY_SECURITY,
      )
      .build(),
  );
  addErrorExamples(document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: `${config.appName} — API`,
    swaggerOptions: { persistAuthorization: true },
  });
}
