import type { ArgumentMetadata, CanActivate, PipeTransform } from '@nestjs/common';
import type { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';

/**
 * The parts of @nestjs/core 11's router (RouterExplorer, RouterExecutionContext) the lean route
 * handler builds on, as they are at run time; none of them is public API. `lean-route.spec.ts`
 * compares the lean handler with Nest's own on every kind of route, so an upgrade that changes
 * them fails there.
 */
export type RouteHandler = (request: unknown, reply: unknown, next: unknown) => unknown;

export interface ParamOption {
  index: number;
  type: number | string;
  data: ArgumentMetadata['data'];
  metatype?: ArgumentMetadata['metatype'];
  pipes: PipeTransform[];
  extractValue(request: unknown, reply: unknown, next: unknown): unknown;
}

export interface HandlerMetadata {
  argsLength: number;
  paramtypes: unknown[] | undefined;
  httpStatusCode: number;
  hasCustomHeaders: boolean;
  responseHeaders: { name: string; value: string }[];
  getParamsMetadata(moduleKey: string, contextId?: unknown, inquirerId?: string): ParamOption[];
  fnHandleResponse(
    result: unknown,
    reply: unknown,
    request: unknown,
    observable?: unknown,
    files?: unknown[],
  ): Promise<unknown>;
}

export interface RouterExecutionContextInternals {
  contextUtils: {
    mergeParamsMetatypes(params: ParamOption[], paramtypes: unknown[] | undefined): ParamOption[];
  };
  pipesContextCreator: ContextCreator<PipeTransform>;
  guardsContextCreator: ContextCreator<CanActivate>;
  interceptorsContextCreator: ContextCreator<unknown>;
  responseController: {
    applicationRef: { reply(reply: unknown, body: unknown, statusCode?: number): unknown };
    setStatus(reply: unknown, statusCode: number): void;
    setHeaders(reply: unknown, headers: { name: string; value: string }[]): void;
  };
  getMetadata(
    instance: object,
    callback: (...args: unknown[]) => unknown,
    methodName: string,
    moduleKey: string,
    requestMethod: number,
    contextType: 'http',
  ): HandlerMetadata;
  isPipeable(type: number | string): boolean;
  isResponseHandled(instance: object, methodName: string, params: ParamOption[]): boolean;
  reflectRenderTemplate(callback: unknown): unknown;
  reflectRedirect(callback: unknown): unknown;
  reflectSse(callback: unknown): unknown;
}

/** The signature of Nest's per-route context creators (guards, pipes, interceptors, exception filters). */
type ScopedCreate<T> = (
  instance: object,
  callback: (...args: unknown[]) => unknown,
  moduleKey: string,
  contextId?: unknown,
  inquirerId?: string,
) => T;

interface ContextCreator<T> {
  create: ScopedCreate<T[]>;
}

export interface ExceptionsHandlerInternals {
  next(error: unknown, host: ExecutionContextHost): void;
}

export interface RouterExplorerInternals {
  executionContextCreator: RouterExecutionContextInternals;
  exceptionsFilter: { create: ScopedCreate<ExceptionsHandlerInternals> };
  createCallbackProxy(
    instance: object,
    callback: (...args: unknown[]) => unknown,
    methodName: string,
    moduleKey: string,
    requestMethod: number,
    contextId?: unknown,
    inquirerId?: string,
  ): RouteHandler;
}
