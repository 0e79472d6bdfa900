import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { BinaryReader } from 'telegram/extensions';
import { returnBigInt } from 'telegram/Helpers';

/** TL boxing the emulator needs for answers that are not plain objects (bool, Vector<T>). */
const BOOL_TRUE = 0x997275b5;
const BOOL_FALSE = 0xbc799737;
const VECTOR = 0x1cb5c415;

interface TlSerializable {
  getBytes(): Buffer;
}

const isSerializable = (value: unknown): value is TlSerializable =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { getBytes?: unknown }).getBytes === 'function';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};

/** Reads one TL object (a request, an update) from its wire bytes, exactly as GramJS's receive path does. */
export function decodeObject(bytes: Buffer): unknown {
  const value: unknown = new BinaryReader(bytes).tgReadObject();
  return value;
}

/** Serializes an answer to its wire bytes: TL objects, `Bool`, and `Vector<object>`. */
export function encodeResult(value: unknown): Buffer {
  if (value === true) return u32(BOOL_TRUE);
  if (value === false) return u32(BOOL_FALSE);
  if (Array.isArray(value)) {
    return Buffer.concat([
      u32(VECTOR),
      u32(value.length),
      ...value.map((item: unknown) => encodeResult(item)),
    ]);
  }
  if (isSerializable(value)) return value.getBytes();
  throw new TypeError(`cannot serialize answer of type ${typeof value}`);
}

/** A TL `long` (GramJS's big-integer) from a native bigint. */
export const toLong = (value: bigint): Api.long => returnBigInt(value);

/** A random signed 64-bit value, as Telegram's ids and hashes are. */
export const randomLong = (): bigint => randomBytes(8).readBigInt64LE(0);

/** The TL class name of a decoded object (`auth.SendCode`, `InvokeWithLayer`), or a placeholder. */
export function classNameOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const name = (value as { className?: unknown }).className;
    if (typeof name === 'string') return name;
  }
  return '<unknown>';
}
