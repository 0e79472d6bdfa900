import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyGrant } from './api-key-grant';

export interface AuthUser {
  id: number;
  /** Set when the caller came with an API key rather than the user's own token. */
  apiKey?: ApiKeyGrant;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: AuthUser;
  }
}

/** The authenticated platform user; the global guard guarantees it on non-public routes. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser => {
  const user = context.switchToHttp().getRequest<FastifyRequest>().user;
  if (!user) throw new Error('CurrentUser used on a route without authentication');
  return user;
});
