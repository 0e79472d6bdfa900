/** Keys ValidationPipe deletes from a value before transforming it (prototype pollution). */
const STRIPPED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_DEPTH = 32;

/**
 * Whether a value is an object of plain JSON — objects with Object's prototype (or none, as Fastify's
 * query objects), dense arrays, strings, numbers, booleans and null — on which
 * ValidationPipe's preparation (closing array gaps, stripping prototype keys, standing in for binary
 * values) would change nothing. Anything else, or deeper than 32 levels, is left to ValidationPipe.
 */
export function isPlainJson(value: unknown): value is object {
  return isPlainObject(value) && plainObjectItems(value as Record<string, unknown>, 0);
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function plainObjectItems(object: Record<string, unknown>, depth: number): boolean {
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key) || STRIPPED_KEYS.has(key)) return false;
    if (!plainItem(object[key], depth + 1)) return false;
  }
  return true;
}

function plainItem(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !plainItem(value[i], depth + 1)) return false;
    }
    return true;
  }
  return isPlainObject(value) && plainObjectItems(value as Record<string, unknown>, depth);
}
