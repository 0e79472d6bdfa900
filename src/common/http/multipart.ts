import fastifyMultipart, { type FastifyMultipartOptions } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

type PluginDone = (error?: Error) => void;
type AsyncHook = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;
type CallbackHook = (
  this: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void;

/** Whether the request may carry a multipart body (the only requests @fastify/multipart acts on). */
function mayBeMultipart(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return type !== undefined && /multipart/i.test(type);
}

/**
 * @fastify/multipart's request hooks only for requests announcing a multipart body. Its onRequest
 * hook (a close listener cleaning temporary files) and onResponse hook (the same cleaning) are async:
 * on every other request they only made promises — a dozen per request with their async-hook
 * propagation — to clean files no such request can have (saveRequestFiles refuses a request that
 * is not multipart). Its content-type parser and request decorators are registered as they are.
 */
function hookOnlyForMultipart(name: string, hook: unknown): unknown {
  if ((name !== 'onRequest' && name !== 'onResponse') || typeof hook !== 'function') return hook;
  const original = hook as AsyncHook;
  const scoped: CallbackHook = function (request, reply, done) {
    if (!mayBeMultipart(request)) return done();
    original.call(this, request, reply).then(() => done(), done);
  };
  return scoped;
}

/** Registers @fastify/multipart (as `app.register(fastifyMultipart, options)` would) with scoped hooks. */
export function scopedMultipart(
  instance: FastifyInstance,
  options: FastifyMultipartOptions,
  done: PluginDone,
): void {
  const scopedInstance = new Proxy(instance, {
    get(target, property, receiver) {
      if (property === 'addHook') {
        return function (this: FastifyInstance, name: string, hook: unknown) {
          // `addHook` returns the instance it was called on (the proxy when called through it).
          (target.addHook as (n: string, h: unknown) => unknown).call(
            target,
            name,
            hookOnlyForMultipart(name, hook),
          );
          return this;
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  (fastifyMultipart as unknown as (i: FastifyInstance, o: FastifyMultipartOptions, d: PluginDone) => void)(
    scopedInstance,
    options,
    done,
  );
}
// Like fastify-plugin: registered in the caller's context, not an encapsulated child.
Object.assign(scopedMultipart, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@fastify/multipart',
  [Symbol.for('plugin-meta')]: (fastifyMultipart as unknown as Record<symbol, unknown>)[
    Symbol.for('plugin-meta')
  ],
});
