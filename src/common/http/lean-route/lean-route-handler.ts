import { ForbiddenException, type CanActivate, type PipeTransform } from '@nestjs/common';
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
  params: { option: ParamOption; pipes: PipeTransform[] | undefined; token: string }[];
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
  const { instance, callback, metadata, guards, params, context, exceptions } = route;
  const { applicationRef } = context.responseController;
  const owner = instance.constructor as new (...args: unknown[]) => unknown;

  return (request, reply, next) => {
    const fail = (error: unknown): unknown => {
      exceptions.next(error, new ExecutionContextHost([request, reply, next]));
      return reply;
    };

    const respond = (result: unknown): Step => {
      if (isObservable(result)) return metadata.fnHandleResponse(result, reply, request, undefined, []);
      try {
        return applicationRef.reply(reply, result, undefined);
      } catch (error) {
        destroyStreamableFile(result);
        throw error;
      }
    };

    const handle = (args: unknown[]): Step => {
      const result = callback.apply(instance, args);
      return isThenable(result) ? result.then(respond) : respond(result);
    };

    const pipe = (value: unknown, index: number, pipes: PipeTransform[], from: number): Step => {
      const { option, token } = params[index];
      for (let i = from; i < pipes.length; i++) {
        const piped: unknown = pipes[i].transform(value, {
          metatype: option.metatype as never,
          type: token as never,
          data: option.data as never,
        });
        if (isThenable(piped)) return piped.then((resolved) => pipe(resolved, index, pipes, i + 1));
        value = piped;
      }
      return value;
    };

    const resolveParams = (args: unknown[], from: number): Step => {
      for (let i = from; i < params.length; i++) {
        const { option, pipes } = params[i];
        const value = option.extractValue(request, reply, next);
        if (!pipes) {
          args[option.index] = value;
          continue;
        }
        let piped: Step;
        try {
          piped = pipe(value, i, pipes, 0);
        } catch (error) {
          markRejectedByPipes(request);
          throw error;
        }
        if (isThenable(piped)) {
          return piped.then(
            (resolved) => {
              args[option.index] = resolved;
              return resolveParams(args, i + 1);
            },
            (error: unknown) => {
              markRejectedByPipes(request);
              throw error;
            },
          );
        }
        args[option.index] = piped;
      }
      return handle(args);
    };

    const afterGuards = (): Step => {
      context.responseController.setStatus(reply, metadata.httpStatusCode);
      if (metadata.hasCustomHeaders) context.responseController.setHeaders(reply, metadata.responseHeaders);
      const args: unknown[] = new Array(metadata.argsLength).fill(undefined);
      return resolveParams(args, 0);
    };

    const activate = (host: ExecutionContextHost, from: number): Step => {
      for (let i = from; i < guards.length; i++) {
        const result = guards[i].canActivate(host);
        if (result === true) continue;
        if (result === false) throw new ForbiddenException(FORBIDDEN_MESSAGE);
        return Promise.resolve(result)
          .then((value) => (isObservable(value) ? lastValueFrom(value) : value))
          .then((allowed) => {
            if (!allowed) throw new ForbiddenException(FORBIDDEN_MESSAGE);
            return activate(host, i + 1);
          });
      }
      return afterGuards();
    };

    let outcome: Step;
    try {
      if (guards.length === 0) outcome = afterGuards();
      else {
        const host = new ExecutionContextHost([request, reply, next], owner, callback);
        host.setType('http');
        outcome = activate(host, 0);
      }
    } catch (error) {
      fail(error);
      return undefined;
    }
    // Answered synchronously: the reply itself comes back (it is a thenable, not to be waited on).
    if (outcome === reply || !isThenable(outcome)) return undefined;
    // Some step went async: Fastify waits on the rest as it waits on Nest's proxy, which also settles
    // only once the reply is finished (adopting the reply's own `then`).
    return Promise.resolve(outcome).then(undefined, fail);
  };
}
