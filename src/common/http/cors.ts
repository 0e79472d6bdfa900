import type { FastifyCorsOptions } from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HttpConfig } from '../../config/app-config';

/**
 * CORS for the browser frontend, through @fastify/cors (Nest's adapter runs its hook before
 * everything else, so a preflight is answered before authentication or rate limits). Tokens travel
 * in the Authorization header, never in cookies: no credentials mode. With no CORS_ORIGINS the
 * service sends no CORS headers at all.
 */
export function enableCors(app: NestFastifyApplication, http: HttpConfig): void {
  if (http.corsOrigins.length === 0) return;
  const options: FastifyCorsOptions = {
    origin: http.corsOrigins[0] === '*' ? '*' : http.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: [
      'Retry-After',
      'X-Request-Id',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ],
    maxAge: 600,
    strictPreflight: true,
  };
  app.enableCors(options);
}
