import {
  ForbiddenException,
  type ArgumentMetadata,
  type CanActivate,
  type PipeTransform,
} from '@nestjs/common';
import { FORBIDDEN_MESSAGE } from '@nestjs/core/guards/constants';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { destroyStreamableFile } from '@nestjs/core/helpers/destroy-streamable-file';
import { markRejectedByPipes } from '@nestjs/core/router/rejected-by-pipes';
import { isObservable, lastValueFrom } from 'rxjs';
import type {
  ExceptionsHandlerInternals,
  HandlerMetadata,
  ParamOption,
  RouteHandler,
  RouterExecutionContextInternals,
} from './nest-router-internals';

/** What one route's lean handler is built from: the same pieces Nest's own handler uses. */
export interface LeanRoute {
  instance: object;
  callback: (...args: unknown[]) => unknown;
  metadata: HandlerMetadata;
  guards: CanActivate[];
  /** Per parameter: its pipes (global, controller, method, then the parameter's own), or none if not pipeable. */
  params: { option: ParamOption; pipes: PipeTransform[] | undefined; token: ArgumentMetadata['type'] }[];
  context: RouterExecutionContextInternals;
  exceptions: ExceptionsHandlerInternals;
}

type Step = unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * One route's request handler doing what Nest's RouterExecutionContext + RouterProxy do for a route
 * without interceptors — guards in order (false → 403 "Forbidden resource"), the status and @Header
 * headers, each parameter through its pipes, the handler, the reply; any error to the route's
 * exception filters — but synchronously as long as every step answers synchronously. Nest's own
 * chain makes ~18 promises per request even for a constant answer (~45 for a validated body), and
 * with the request context's AsyncLocalStorage every promise runs an async hook; here a step that
 * returns a promise (an async guard, pipe or handler) continues the rest after it.
 *
 * Two differences, neither observable in a response: parameters go through their pipes one after
 * another (Nest starts them together and reports the first rejection; our pipes are pure), and a
 * plain (non-Observable) result is not awaited for the socket write to finish.
 */
export function leanRouteHandler(route: LeanRoute): RouteHandler {
  const handler = new LeanRouteHandler(route);
  return (request, reply, next) => handler.handle({ request, reply, next, args: [] });
}

/** One request on its way through the steps: the route's arguments fill in as the pipes answer. */
interface Call {
  request: unknown;
  reply: unknown;
  next: unknown;
  args: unknown[];
}

/** The steps, as methods: nothing is allocated per request but the Call (and a promise chain once a step goes async). */
class LeanRouteHandler {
  private readonly owner: new (...args: unknown[]) => unknown;

  constructor(private readonly route: LeanRoute) {
    this.owner = route.instance.constructor as new (...args: unknown[]) => unknown;
  }

  handle(call: Call): unknown {
    const { guards, callback } = this.route;
    let outcome: Step;
    try {
      if (guards.length === 0) outcome = this.afterGuards(call);
      else {
        const host = new ExecutionContextHost([call.request, call.reply, call.next], this.owner, callback);
        host.setType('http');
        outcome = this.activate(call, host, 0);
      }
    } catch (error) {
      this.fail(call, error);
      return undefined;
    }
    // Answered synchronously: the reply itself comes back (it is a thenable, not to be waited on).
    if (outcome === call.reply || !isThenable(outcome)) return undefined;
    // Some step went async: Fastify waits on the rest as it waits on Nest's proxy, which also settles
    // only once the reply is finished (adopting the reply's own `then`).
    return Promise.resolve(outcome).then(undefined, (error: unknown) => this.fail(call, error));
  }

  private fail(call: Call, error: unknown): unknown {
    this.route.exceptions.next(error, new ExecutionContextHost([call.request, call.reply, call.next]));
    return call.reply;
  }

  private activate(call: Call, host: ExecutionContextHost, from: number): Step {
    const { guards } = this.route;
    for (let i = from; i < guards.length; i++) {
      const result = guards[i].canActivate(host);
      if (result === true) continue;
      if (result === false) throw new ForbiddenException(FORBIDDEN_MESSAGE);
      return Promise.resolve(result)
        .then((value) => (isObservable(value) ? lastValueFrom(value) : value))
        .then((allowed) => {
          if (!allowed) throw new ForbiddenException(FORBIDDEN_MESSAGE);
          return this.activate(call, host, i + 1);
        });
    }
    return this.afterGuards(call);
  }

  private afterGuards(call: Call): Step {
    const { metadata, context } = this.route;
    context.responseController.setStatus(call.reply, metadata.httpStatusCode);
    if (metadata.hasCustomHeaders)
      context.responseController.setHeaders(call.reply, metadata.responseHeaders);
    call.args = new Array(metadata.argsLength).fill(undefined);
    return this.resolveParams(call, 0);
  }

  private resolveParams(call: Call, from: number): Step {
    const { params } = this.route;
    for (let i = from; i < params.length; i++) {
      const { option, pipes } = params[i];
      const value = option.extractValue(call.request, call.reply, call.next);
      if (!pipes) {
        call.args[option.index] = value;
        continue;
      }
      let piped: Step;
      try {
        piped = this.pipe(value, i, 0);
      } catch (error) {
        markRejectedByPipes(call.request);
        throw error;
      }
      if (isThenable(piped)) {
        return piped.then(
          (resolved) => {
            call.args[option.index] = resolved;
            return this.resolveParams(call, i + 1);
          },
          (error: unknown) => {
            markRejectedByPipes(call.request);
            throw error;
          },
        );
      }
      call.args[option.index] = piped;
    }
    return this.invoke(call);
  }

  /** Parameter `index`'s value through its pipes from the `from`-th on. */
  private pipe(value: unknown, index: number, from: number): Step {
    const { option, token, pipes } = this.route.params[index];
    const steps = pipes as PipeTransform[];
    for (let i = from; i < steps.length; i++) {
      const piped: unknown = steps[i].transform(value, {
        metatype: option.metatype,
        type: token,
        data: option.data,
      });
      if (isThenable(piped)) return piped.then((resolved) => this.pipe(resolved, index, i + 1));
      value = piped;
    }
    return value;
  }

  private invoke(call: Call): Step {
    const { callback, instance } = this.route;
    const result = callback.apply(instance, call.args);
    return isThenable(result)
      ? result.then((value) => this.respond(call, value))
      : this.respond(call, result);
  }

  private respond(call: Call, result: unknown): Step {
    const { metadata, context } = this.route;
    if (isObservable(result))
      return metadata.fnHandleResponse(result, call.reply, call.request, undefined, []);
    try {
      return context.responseController.applicationRef.reply(call.reply, result, undefined);
    } catch (error) {
      destroyStreamableFile(result);
      throw error;
    }
  }
}
