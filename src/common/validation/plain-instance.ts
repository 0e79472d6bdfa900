import { plainToInstance, type ClassConstructor, type ClassTransformOptions } from 'class-transformer';
// class-transformer keeps its decorators' rules in this storage and exports it only here (as
// @nestjs/mapped-types reads it); its maps are read, never written.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';

/** The maps of class-transformer's storage, one per decorator kind, keyed by class. */
interface RuleMaps {
  _typeMetadatas: Map<unknown, unknown>;
  _transformMetadatas: Map<unknown, unknown>;
  _exposeMetadatas: Map<unknown, unknown>;
  _excludeMetadatas: Map<unknown, unknown>;
}

type Plain = Record<string, unknown>;

/**
 * `plainToInstance(metatype, value, options)` for a value of plain JSON (see isPlainJson). For a
 * class that neither it nor an ancestor carries a class-transformer decorator on (@Type,
 * @Transform, @Expose, @Exclude), with the pipe's options (no implicit conversion, nothing else),
 * what class-transformer does reduces to a copy — a new instance of the class, each key of the
 * value copied (nested objects as new plain objects, arrays as new arrays), keys that name a method
 * or a setter-less accessor of the target's prototype skipped — which is what this does, without
 * class-transformer's per-key rule lookups. Every other class goes through class-transformer.
 */
export class PlainInstanceBuilder {
  private readonly undecorated = new WeakMap<object, boolean>();
  private readonly copies: boolean;

  constructor(private readonly options: ClassTransformOptions) {
    const keys = Object.keys(options);
    this.copies =
      keys.every((key) => key === 'enableImplicitConversion') && !options.enableImplicitConversion;
  }

  build(metatype: ClassConstructor<object>, value: object): object {
    if (!this.copies || !this.isUndecorated(metatype)) return plainToInstance(metatype, value, this.options);
    const instance = new metatype();
    copyKeys(instance as Plain, value as Plain);
    return instance;
  }

  private isUndecorated(metatype: ClassConstructor<object>): boolean {
    let known = this.undecorated.get(metatype);
    if (known === undefined) {
      const maps = defaultMetadataStorage as unknown as RuleMaps;
      const all = [
        maps._typeMetadatas,
        maps._transformMetadatas,
        maps._exposeMetadatas,
        maps._excludeMetadatas,
      ];
      known = lineage(metatype).every((target) => all.every((map) => !map.has(target)));
      this.undecorated.set(metatype, known);
    }
    return known;
  }
}

/** The class and its ancestors, as class-transformer walks them. */
function lineage(metatype: ClassConstructor<object>): unknown[] {
  const classes: unknown[] = [metatype];
  for (
    let base = Object.getPrototypeOf(metatype) as { prototype?: unknown } | null;
    base && typeof base.prototype !== 'undefined';
    base = Object.getPrototypeOf(base) as { prototype?: unknown } | null
  )
    classes.push(base);
  return classes;
}

function copyKeys(target: Plain, source: Plain): void {
  const prototype = (target.constructor as { prototype?: object } | undefined)?.prototype;
  for (const key of Object.keys(source)) {
    if (key === '__proto__' || key === 'constructor') continue;
    if (prototype) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if ((descriptor && !descriptor.set) || target[key] instanceof Function) continue;
    }
    target[key] = copyItem(source[key]);
  }
}

function copyItem(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyItem);
  const copy: Plain = {};
  copyKeys(copy, value as Plain);
  return copy;
}
