import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMtcuteJson, parseTlText, type TlSchema } from './tl-schema';
import { readTl, writeTl, type TlObject, type TlValue } from './tl-transcoder';

/**
 * Answers each connection in the layer its client declared (api/invoking: invokeWithLayer's layer is saved
 * and used for every later answer). The world speaks the base layer (GramJS's); a request in another layer is
 * read with that layer's schema and rewritten in the base layer, and its answer (and each update) the other way.
 */
export class LayerTranslator {
  private readonly schemas: TlSchema[];
  private pendingLoaders: (() => TlSchema | undefined)[];

  /** `loaders` are tried once, the first time a client declares a layer none of the schemas has. */
  constructor(
    readonly base: TlSchema,
    others: readonly TlSchema[],
    loaders: readonly (() => TlSchema | undefined)[] = [],
  ) {
    this.schemas = [base];
    for (const schema of others) this.add(schema);
    this.pendingLoaders = [...loaders];
  }

  add(schema: TlSchema): void {
    if (this.schemas.some((s) => s.layer === schema.layer)) return;
    this.schemas.push(schema);
    this.schemas.sort((a, b) => a.layer - b.layer);
  }

  get layers(): number[] {
    return this.schemas.map((s) => s.layer);
  }

  /** The schema for a client's layer: that layer's own, else the nearest one the packages ship. */
  schemaFor(layer: number): TlSchema {
    if (this.pendingLoaders.length > 0 && !this.schemas.some((s) => s.layer === layer)) {
      const loaders = this.pendingLoaders.splice(0);
      for (const load of loaders) {
        const schema = load();
        if (schema) this.add(schema);
      }
    }
    return this.schemas.reduce((best, s) =>
      Math.abs(s.layer - layer) < Math.abs(best.layer - layer) ? s : best,
    );
  }

  /** Whether answers in `layer` need rewriting. */
  translates(layer: number | undefined): layer is number {
    return layer !== undefined && this.schemaFor(layer) !== this.base;
  }

  /**
   * A request in the client's layer, rewritten in the base layer, with the type its answer has (that of the
   * innermost query: invokeWithLayer, initConnection and the other wrappers answer what they wrap).
   */
  request(bytes: Buffer, layer: number): { body: Buffer; resultType: string } {
    const client = this.schemaFor(layer);
    const value = readTl(bytes, client);
    let method = value as TlObject;
    while (typeof method === 'object' && 'query' in method && isTl(method.query)) method = method.query;
    const def = this.base.byName.get(method._) ?? client.byName.get(method._);
    return { body: writeTl(value, this.base), resultType: def?.type ?? 'Object' };
  }

  /** An answer (of `type`) from the base layer, rewritten in the client's layer. */
  result(bytes: Buffer, type: string, layer: number): Buffer {
    const generic = /^[A-Z]$/.test(type) ? 'Object' : type;
    return writeTl(readTl(bytes, this.base, generic), this.schemaFor(layer), generic);
  }
}

const isTl = (value: TlValue): value is TlObject =>
  typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !Array.isArray(value);

/** An installed package's file, or undefined when that package is not installed. */
function packageFile(specifier: string): string | undefined {
  try {
    return readFileSync(require.resolve(specifier), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Telethon's layer (Debian python3-telethon), read back from its generated code by telethon_schema.py with the
 * Debian python; undefined when that package is not installed.
 */
export function telethonSchema(python = '/usr/bin/python3'): TlSchema | undefined {
  try {
    const json = execFileSync(python, [join(__dirname, 'telethon_schema.py')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 30_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return parseMtcuteJson(JSON.parse(json) as Parameters<typeof parseMtcuteJson>[0], 'python3-telethon');
  } catch {
    return undefined;
  }
}

let shared: LayerTranslator | undefined;

/**
 * The schemas maintained packages ship: GramJS's (the base: the world builds its answers with GramJS's `Api`),
 * mtcute's (`@mtcute/core`'s bundled layer and `@mtcute/tl`'s) when installed, and Telethon's when a client
 * declares a layer none of those has and python3-telethon is installed.
 */
export function defaultLayerTranslator(): LayerTranslator {
  if (shared) return shared;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gramjs = require('telegram/tl/apiTl') as string;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LAYER } = require('telegram/tl/AllTLObjects') as { LAYER: number };
  const others: TlSchema[] = [];
  for (const specifier of ['@mtcute/core/tl/api-schema.json', '@mtcute/tl/api-schema.json']) {
    const text = packageFile(specifier);
    if (text)
      others.push(parseMtcuteJson(JSON.parse(text) as Parameters<typeof parseMtcuteJson>[0], specifier));
  }
  shared = new LayerTranslator(parseTlText(gramjs, LAYER, 'telegram/tl/apiTl'), others, [telethonSchema]);
  return shared;
}
