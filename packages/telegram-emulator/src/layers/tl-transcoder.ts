import { unzipSync } from 'node:zlib';
import type { TlConstructor, TlParam, TlSchema } from './tl-schema';

/**
 * One generic TL reader and writer driven by a schema: an object read with one layer's schema is written with
 * another's, constructor by name (`user`, `config`…) and field by name, so each layer gets its own constructor
 * id and flags. A field the target layer lacks is left out; one it requires but the source lacks gets its
 * type's empty value (0, "", false, [], or the type's simplest constructor).
 */

export interface TlObject {
  readonly _: string;
  readonly [field: string]: TlValue;
}
export type TlValue = string | number | bigint | boolean | Buffer | TlObject | TlValue[] | undefined;

const VECTOR = 0x1cb5c415;
const BOOL_TRUE = 0x997275b5;
const BOOL_FALSE = 0xbc799737;
const GZIP_PACKED = 0x3072cfa1;

export class TlTranscodeError extends Error {}

class Reader {
  offset = 0;
  constructor(private readonly bytes: Buffer) {}

  u32(): number {
    if (this.offset + 4 > this.bytes.length) throw new TlTranscodeError('truncated');
    const value = this.bytes.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  take(length: number): Buffer {
    if (this.offset + length > this.bytes.length) throw new TlTranscodeError('truncated');
    const value = Buffer.from(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return value;
  }

  tlBytes(): Buffer {
    let length = this.take(1)[0];
    let header = 1;
    if (length === 254) {
      length = this.take(3).readUIntLE(0, 3);
      header = 4;
    }
    const value = this.take(length);
    this.take((4 - ((header + length) % 4)) % 4);
    return value;
  }
}

const vectorItem = (type: string): string | undefined => /^[Vv]ector<(.+)>$/.exec(type)?.[1];

function readValue(r: Reader, type: string, schema: TlSchema): TlValue {
  switch (type) {
    case 'int':
    case '#':
      return r.take(4).readInt32LE(0);
    case 'long':
      return r.take(8).readBigInt64LE(0);
    case 'double':
      return r.take(8).readDoubleLE(0);
    case 'int128':
      return r.take(16);
    case 'int256':
      return r.take(32);
    case 'string':
    case 'bytes':
      return r.tlBytes();
    case 'true':
      return true;
    case 'Bool': {
      const id = r.u32();
      if (id !== BOOL_TRUE && id !== BOOL_FALSE) throw new TlTranscodeError(`not a Bool: ${id.toString(16)}`);
      return id === BOOL_TRUE;
    }
  }
  const item = vectorItem(type);
  if (item !== undefined) {
    if (type.startsWith('V') && r.u32() !== VECTOR) throw new TlTranscodeError('expected a vector');
    const count = r.u32();
    return Array.from({ length: count }, () => readValue(r, item, schema));
  }
  return readObject(r, schema);
}

function readObject(r: Reader, schema: TlSchema): TlValue {
  const id = r.u32();
  if (id === GZIP_PACKED) return readObject(new Reader(unzipSync(r.tlBytes())), schema);
  if (id === BOOL_TRUE || id === BOOL_FALSE) return id === BOOL_TRUE;
  if (id === VECTOR) {
    // A Vector of unknown items (a method's result read without its type): only objects can be read so.
    const count = r.u32();
    return Array.from({ length: count }, () => readObject(r, schema));
  }
  const ctor = schema.byId.get(id);
  if (!ctor) throw new TlTranscodeError(`constructor ${id.toString(16)} is not in layer ${schema.layer}`);
  const object: Record<string, TlValue> = { _: ctor.name } as never;
  const flags = new Map<string, number>();
  for (const p of ctor.params) {
    if (p.flag && ((flags.get(p.flag.field) ?? 0) & (1 << p.flag.bit)) === 0) continue;
    const value = readValue(r, p.type, schema);
    if (p.type === '#') flags.set(p.name, value as number);
    else object[p.name] = value;
  }
  return object as unknown as TlObject;
}

/** Reads one value of `type` (a boxed type when omitted) from its wire bytes in `schema`'s layer. */
export function readTl(bytes: Buffer, schema: TlSchema, type = 'Object'): TlValue {
  return readValue(new Reader(bytes), type, schema);
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};

function tlBytes(data: Buffer): Buffer {
  const header =
    data.length < 254
      ? Buffer.from([data.length])
      : Buffer.from([254, data.length & 0xff, (data.length >> 8) & 0xff, (data.length >> 16) & 0xff]);
  return Buffer.concat([header, data, Buffer.alloc((4 - ((header.length + data.length) % 4)) % 4)]);
}

const toBigInt = (value: TlValue): bigint =>
  typeof value === 'bigint' ? value : typeof value === 'number' ? BigInt(Math.trunc(value)) : 0n;

function writeValue(value: TlValue, type: string, schema: TlSchema, out: Buffer[], depth: number): void {
  switch (type) {
    case 'int':
    case '#': {
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(BigInt.asIntN(32, toBigInt(value))), 0);
      out.push(b);
      return;
    }
    case 'long': {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt.asIntN(64, toBigInt(value)), 0);
      out.push(b);
      return;
    }
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(typeof value === 'number' ? value : 0, 0);
      out.push(b);
      return;
    }
    case 'int128':
    case 'int256': {
      const size = type === 'int128' ? 16 : 32;
      out.push(Buffer.isBuffer(value) && value.length === size ? value : Buffer.alloc(size));
      return;
    }
    case 'string':
    case 'bytes':
      out.push(tlBytes(Buffer.isBuffer(value) ? value : Buffer.alloc(0)));
      return;
    case 'true':
      return;
    case 'Bool':
      out.push(u32(value === true ? BOOL_TRUE : BOOL_FALSE));
      return;
  }
  const item = vectorItem(type);
  if (item !== undefined) {
    const items = Array.isArray(value) ? value : [];
    if (type.startsWith('V')) out.push(u32(VECTOR));
    out.push(u32(items.length));
    for (const element of items) writeValue(element, item, schema, out, depth);
    return;
  }
  writeObject(value, type, schema, out, depth);
}

function isObject(value: TlValue): value is TlObject {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !Array.isArray(value);
}

/** The simplest constructor of a type (fewest required fields), for a field the source layer lacks. */
function simplest(type: string, schema: TlSchema): TlConstructor | undefined {
  const required = (c: TlConstructor): number => c.params.filter((p) => !p.flag && p.type !== '#').length;
  return [...schema.constructorsOf(type)].sort((a, b) => required(a) - required(b))[0];
}

function writeObject(value: TlValue, type: string, schema: TlSchema, out: Buffer[], depth: number): void {
  if (depth > 64) throw new TlTranscodeError('TL value nested too deeply');
  if (typeof value === 'boolean' && (type === 'Object' || type === '!X' || type === 'X')) {
    out.push(u32(value ? BOOL_TRUE : BOOL_FALSE));
    return;
  }
  if (Array.isArray(value)) {
    out.push(u32(VECTOR), u32(value.length));
    for (const element of value) writeObject(element, 'Object', schema, out, depth + 1);
    return;
  }
  const ctor = isObject(value) ? schema.byName.get(value._) : simplest(type, schema);
  if (!ctor) {
    const name = isObject(value) ? value._ : type;
    throw new TlTranscodeError(`${name} has no constructor in layer ${schema.layer}`);
  }
  const fields: Partial<Record<string, TlValue>> = isObject(value) ? value : {};
  out.push(u32(ctor.id));
  for (const p of ctor.params) {
    if (p.type === '#') {
      out.push(u32(flagsOf(ctor, p.name, fields)));
      continue;
    }
    if (p.flag && !present(p, fields[p.name])) continue;
    writeValue(fields[p.name], p.type, schema, out, depth + 1);
  }
}

function present(p: TlParam, value: TlValue): boolean {
  return p.type === 'true' ? value === true : value !== undefined;
}

function flagsOf(ctor: TlConstructor, field: string, fields: Partial<Record<string, TlValue>>): number {
  let flags = 0;
  for (const p of ctor.params) {
    if (p.flag?.field === field && present(p, fields[p.name])) flags |= 1 << p.flag.bit;
  }
  return flags;
}

/** Writes one value as `type` (a boxed type when omitted) with `schema`'s constructors. */
export function writeTl(value: TlValue, schema: TlSchema, type = 'Object'): Buffer {
  const out: Buffer[] = [];
  writeValue(value, type, schema, out, 0);
  return Buffer.concat(out);
}
