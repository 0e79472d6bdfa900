import { SetMetadata } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';

export const IS_PUBLIC = 'auth:is-public';

/** What a public route says in its Fastify route config (read by hooks that run before Nest). */
export interface PublicRouteConfig {
  public?: boolean;
}

/**
 * Marks a controller or route as reachable without a bearer token. Besides Nest's metadata for the
 * guard, each handler's Fastify route config says `public: true`, so the hook that authenticates
 * a request before its body is read knows to leave it alone.
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      SetMetadata(IS_PUBLIC, true)(target, key as string | symbol, descriptor);
      markPublicRoute(descriptor.value as object);
      return descriptor;
    }
    SetMetadata(IS_PUBLIC, true)(target as () => void);
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name !== 'constructor' && typeof handler === 'function') markPublicRoute(handler);
    }
    return target;
  }) as MethodDecorator & ClassDecorator;

function markPublicRoute(handler: object): void {
  const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as PublicRouteConfig;
  Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, public: true }, handler);
}
