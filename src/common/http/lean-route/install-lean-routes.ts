import type { ArgumentMetadata, INestApplication } from '@nestjs/common';
import { STATIC_CONTEXT } from '@nestjs/core/injector/constants';
import { ParamsTokenFactory } from '@nestjs/core/pipes/params-token-factory';
import { leanRouteHandler } from './lean-route-handler';
import type { RouteHandler, RouterExplorerInternals } from './nest-router-internals';

interface WithRouterExplorer {
  routesResolver?: { routerExplorer?: RouterExplorerInternals };
}

/** The router explorer of an application not yet initialised (Nest builds each route's handler there at init). */
function routerExplorerOf(app: INestApplication): RouterExplorerInternals {
  const explorer = (app as unknown as WithRouterExplorer).routesResolver?.routerExplorer;
  if (!explorer || typeof explorer.createCallbackProxy !== 'function' || !explorer.executionContextCreator)
    throw new Error(
      'lean routes: @nestjs/core no longer has RouterExplorer.createCallbackProxy; see lean-route.spec.ts',
    );
  return explorer;
}

/**
 * From now on (call it before `app.init()`), every route of a singleton controller that has no
 * interceptor and answers with its return value — not @Res()/@Next(), @Render, @Redirect or @Sse —
 * is served by a lean handler (see leanRouteHandler) built from the same guards, pipes, parameter
 * factories, status, headers and exception filters Nest resolved for it. Every other route (and
 * every request-scoped controller, whose handler Nest builds per request) keeps Nest's own.
 * Returns how many routes were made lean so far (for tests).
 */
export function installLeanRoutes(app: INestApplication): () => number {
  const explorer = routerExplorerOf(app);
  const nestProxy = explorer.createCallbackProxy.bind(explorer);
  const tokens = new ParamsTokenFactory();
  let lean = 0;

  explorer.createCallbackProxy = (...route) => {
    // Nest's own handler is built either way: its start-up checks (missing param types) run as before.
    const nest: RouteHandler = nestProxy(...route);
    const [instance, callback, methodName, moduleKey, requestMethod, contextId, inquirerId] = route;
    if (contextId !== undefined && contextId !== STATIC_CONTEXT) return nest;
    const context = explorer.executionContextCreator;
    if (
      context.reflectRenderTemplate(callback) ||
      context.reflectRedirect(callback) ||
      context.reflectSse(callback)
    )
      return nest;
    // What each of Nest's context creators takes to resolve this route's guards, pipes, … and filters.
    const scope = [instance, callback, moduleKey, contextId, inquirerId] as const;
    if (context.interceptorsContextCreator.create(...scope).length > 0) return nest;
    const metadata = context.getMetadata(instance, callback, methodName, moduleKey, requestMethod, 'http');
    const options = context.contextUtils.mergeParamsMetatypes(
      metadata.getParamsMetadata(moduleKey, contextId, inquirerId),
      metadata.paramtypes,
    );
    if (context.isResponseHandled(instance, methodName, options)) return nest;
    const pipes = context.pipesContextCreator.create(...scope);
    lean += 1;
    return leanRouteHandler({
      instance,
      callback,
      metadata,
      guards: context.guardsContextCreator.create(...scope),
      params: options.map((option) => ({
        option,
        pipes: context.isPipeable(option.type) ? pipes.concat(option.pipes) : undefined,
        token: tokens.exchangeEnumForString(option.type as never) as ArgumentMetadata['type'],
      })),
      context,
      exceptions: explorer.exceptionsFilter.create(...scope),
    });
  };
  return () => lean;
}
