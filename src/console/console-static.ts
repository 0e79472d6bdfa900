import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { PublicRouteConfig } from '../common/auth/public.decorator';
import { consoleCsp } from './console-csp';

export const CONSOLE_PREFIX = '/console';

/** Hashed file names (Vite's `assets/name-<hash>.js`) never change content: cache them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Where `vite build` put the console: `dist/console` (next to `dist/src` when running the build,
 * beside `src/` when running the sources under jest). Undefined when it was not built.
 */
export function consoleRoot(baseDir = __dirname): string | undefined {
  const candidates = [join(baseDir, '..', '..', 'console'), join(baseDir, '..', '..', 'dist', 'console')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * Serves the management console at /console through @fastify/static: public (no token — the page
 * holds no data; every API call it makes carries the user's own token), not rate-limited by the API
 * throttler (a Nest guard, which static routes never reach), with its own CSP and cache headers.
 * Returns false when the console was not built (then /console is the usual 404).
 */
export async function registerConsole(fastify: FastifyInstance, root = consoleRoot()): Promise<boolean> {
  if (!root) return false;
  // The hook that authenticates requests announcing a body runs before Nest; mark these routes public.
  fastify.addHook('onRoute', (route) => {
    if (route.url.startsWith(CONSOLE_PREFIX) || route.url === '/') {
      const config: PublicRouteConfig = { ...(route.config as object), public: true };
      route.config = config as typeof route.config;
    }
  });
  await fastify.register(fastifyStatic, {
    root,
    prefix: `${CONSOLE_PREFIX}/`,
    // Swagger UI or another plugin may decorate the reply already; this plugin needs no decorator.
    decorateReply: false,
    index: ['index.html'],
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders: (reply, path) => {
      const isAsset = /[\\/]assets[\\/]/.test(path);
      void reply
        .header('cache-control', isAsset ? IMMUTABLE : 'no-cache')
        .header('content-security-policy', consoleCsp(reply.request.headers.host))
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY');
    },
  });
  // The SPA's relative asset paths need the trailing slash.
  fastify.get(CONSOLE_PREFIX, (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`, 301));
  // A person who opens the service's address lands in the console (302: `/` may serve more one day).
  fastify.get('/', (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`, 302));
  return true;
}
