/**
 * A TL schema of one API layer, read from what maintained packages ship: the `.tl` text GramJS carries
 * (`telegram/tl/apiTl`) or mtcute's JSON (`@mtcute/core/tl/api-schema.json`, `@mtcute/tl/api-schema.json`).
 * Only what the wire needs: constructor ids, names, result types and parameters with their flag bits.
 */

export interface TlParam {
  readonly name: string;
  /** Wire type: `int`, `long`, `string`, `bytes`, `Bool`, `true`, `#`, `Vector<T>`, `!X`, a boxed type name. */
  readonly type: string;
  /** For `flags.N?T`: the flags field and the bit. */
  readonly flag?: { readonly field: string; readonly bit: number };
}

export interface TlConstructor {
  readonly id: number;
  readonly name: string;
  /** The boxed type it builds (for a method: its result type). */
  readonly type: string;
  readonly method: boolean;
  readonly params: readonly TlParam[];
}

export class TlSchema {
  readonly byId = new Map<number, TlConstructor>();
  readonly byName = new Map<string, TlConstructor>();
  private readonly byType = new Map<string, TlConstructor[]>();

  constructor(
    readonly layer: number,
    readonly source: string,
    entries: readonly TlConstructor[],
  ) {
    for (const entry of entries) {
      this.byId.set(entry.id, entry);
      // A name is unique per kind; methods and constructors do not share names in the API schema.
      this.byName.set(entry.name, entry);
      if (!entry.method) {
        const list = this.byType.get(entry.type) ?? [];
        list.push(entry);
        this.byType.set(entry.type, list);
      }
    }
  }

  constructorsOf(type: string): readonly TlConstructor[] {
    return this.byType.get(type) ?? [];
  }
}

function param(name: string, rawType: string): TlParam {
  const conditional = /^(\w+)\.(\d+)\?(.+)$/.exec(rawType);
  if (!conditional) return { name, type: rawType };
  return { name, type: conditional[3], flag: { field: conditional[1], bit: Number(conditional[2]) } };
}

/** Parses `.tl` text (`name#id a:int flags:# b:flags.0?string = Type;`, `---functions---`). */
export function parseTlText(text: string, layer: number, source: string): TlSchema {
  const entries: TlConstructor[] = [];
  let method = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === '---functions---') method = true;
    if (line === '---types---') method = false;
    const match = /^([\w.]+)#([0-9a-f]+)\s*(.*?)\s*=\s*([^;]+);$/.exec(line);
    if (!match || match[3].includes('[')) continue;
    const params = match[3]
      .split(/\s+/)
      .filter((token) => token.length > 0 && !token.startsWith('{'))
      .map((token) => {
        const at = token.indexOf(':');
        return param(token.slice(0, at), token.slice(at + 1));
      });
    entries.push({
      id: parseInt(match[2], 16) >>> 0,
      name: match[1],
      type: match[4].trim(),
      method,
      params,
    });
  }
  return new TlSchema(layer, source, entries);
}

interface MtcuteArgument {
  readonly name: string;
  readonly type: string;
  readonly typeModifiers?: { readonly predicate?: string; readonly isVector?: boolean };
}

interface MtcuteEntry {
  readonly kind: string;
  readonly name: string;
  readonly id: number;
  readonly type: string;
  readonly arguments?: readonly MtcuteArgument[];
}

/** Reads mtcute's JSON schema (`{l: layer, e: [{kind, name, id, type, arguments}]}`). */
export function parseMtcuteJson(json: { l: number; e: readonly MtcuteEntry[] }, source: string): TlSchema {
  return new TlSchema(
    json.l,
    source,
    json.e.map((entry) => ({
      id: entry.id >>> 0,
      name: entry.name,
      type: entry.type,
      method: entry.kind === 'method',
      params: (entry.arguments ?? []).map((arg) => {
        const base = arg.type === 'int53' ? 'long' : arg.type;
        const type = arg.typeModifiers?.isVector ? `Vector<${base}>` : base;
        const predicate = arg.typeModifiers?.predicate;
        return predicate ? param(arg.name, `${predicate}?${type}`) : { name: arg.name, type };
      }),
    })),
  );
}
