import type { Api } from 'telegram';
import type { EmulatorClock } from '../clock';
import type { AuthKeyRecord, LiveConnection, WorldState } from '../world-state';

/** What a handler sees of one request: the world, the DC and auth key it arrived on. */
export interface RequestContext {
  readonly state: WorldState;
  readonly clock: EmulatorClock;
  readonly dcId: number;
  readonly key: AuthKeyRecord;
  readonly connection: LiveConnection;
  /** Runs a nested query (the body of InvokeWithLayer, InitConnection, ...). */
  dispatch(request: unknown): Promise<unknown>;
}

/** A request class from GramJS's generated `Api` (static CONSTRUCTOR_ID / className, instances of T). */
export interface RequestClass<T> {
  readonly CONSTRUCTOR_ID: number;
  readonly className: string;
  new (...args: never): T;
}

export interface HandlerDef {
  readonly constructorId: number;
  readonly className: string;
  /** When true the key must be signed in; otherwise the handler checks what it needs itself. */
  readonly requiresAuth: boolean;
  handle(ctx: RequestContext, request: unknown): Promise<unknown>;
}

type Answer<T extends Api.AnyRequest> = T['__response'] | Promise<T['__response']>;

/** Declares the answer to one TL method; the answer type is the method's own result type. */
export function handler<T extends Api.AnyRequest>(
  cls: RequestClass<T>,
  options: { requiresAuth: boolean },
  fn: (ctx: RequestContext, request: T) => Answer<T>,
): HandlerDef {
  return {
    constructorId: cls.CONSTRUCTOR_ID,
    className: cls.className,
    requiresAuth: options.requiresAuth,
    async handle(ctx, request) {
      if (!(request instanceof cls)) throw new TypeError(`expected ${cls.className}`);
      return fn(ctx, request);
    },
  };
}

export class HandlerRegistry {
  private readonly byId = new Map<number, HandlerDef>();

  constructor(defs: readonly HandlerDef[]) {
    for (const def of defs) {
      if (this.byId.has(def.constructorId)) throw new Error(`duplicate handler for ${def.className}`);
      this.byId.set(def.constructorId, def);
    }
  }

  find(request: unknown): HandlerDef | undefined {
    if (typeof request !== 'object' || request === null) return undefined;
    const id = (request as { CONSTRUCTOR_ID?: unknown }).CONSTRUCTOR_ID;
    return typeof id === 'number' ? this.byId.get(id) : undefined;
  }

  get size(): number {
    return this.byId.size;
  }
}
