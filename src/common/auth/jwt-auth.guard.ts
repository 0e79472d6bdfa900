import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { authorizeApiKey } from './api-key-authorization';
import type { ApiKeyScope } from './api-key-scopes';
import { Authenticator } from './authenticator';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPE } from './requires-scope.decorator';

interface RouteAuth {
  public: boolean;
  scope: ApiKeyScope | undefined;
}

/**
 * Global guard: every route needs a valid credential unless marked @Public() — the user's JWT, or
 * an API key holding the route's scope. A request with a body was already authenticated before its
 * body was read (see authenticateBeforeBody).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  /** Each handler's auth metadata, read once (metadata never changes at run time). */
  private readonly routes = new WeakMap<object, RouteAuth>();

  /** Synchronous (no promise) for a public route, a request authenticated before its body or a valid token. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const route = this.routeAuth(context);
    if (route.public) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const pending = request.user ? undefined : this.authenticator.authenticate(request);
    if (pending) return pending.then(() => this.authorize(request, route));
    return this.authorize(request, route);
  }

  private authorize(request: FastifyRequest, route: RouteAuth): boolean {
    const grant = request.user?.apiKey;
    if (grant) authorizeApiKey(grant, route.scope, request);
    return true;
  }

  private routeAuth(context: ExecutionContext): RouteAuth {
    const handler = context.getHandler();
    let known = this.routes.get(handler);
    if (known === undefined) {
      const targets = [handler, context.getClass()];
      known = {
        public: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        scope: this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, targets),
      };
      this.routes.set(handler, known);
    }
    return known;
  }
}
