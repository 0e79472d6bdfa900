import type { FastifyInstance } from 'fastify';
import { AppError, type FieldProblem } from '../errors/app-error';

/**
 * NUL (PostgreSQL refuses it in text and jsonb) or an unpaired UTF-16 surrogate (not encodable as
 * UTF-8; jsonb refuses its escape): the characters a string must not hold to be stored.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly the character looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MAX_DEPTH = 64;

export class InvalidCharactersError extends AppError {
  readonly kind = 'invalid';
  readonly code = 'invalid_characters';
  constructor(readonly problems: FieldProblem[]) {
    super(`Invalid characters in: ${problems.map((p) => p.field).join(', ')}`);
    this.details.errors = problems;
  }
}

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** A field name as the caller can read it back: the offending characters as \uXXXX escapes. */
function printable(name: string): string {
  return name.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what gets escaped
    /[\u0000-\u001f\ud800-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function join(parent: string, key: string): string {
  const name = printable(key);
  return parent ? `${parent}.${name}` : name;
}

/**
 * Every string (and object key) in a parsed JSON value, a query or path parameter object, or a
 * multipart field that PostgreSQL could not store, as one problem per field (at most 20).
 */
export function unstorableFields(value: unknown, parent = '', problems: FieldProblem[] = []): FieldProblem[] {
  collect(value, parent, problems, 0);
  return problems;
}

function collect(value: unknown, path: string, problems: FieldProblem[], depth: number): void {
  if (problems.length >= 20) return;
  if (typeof value === 'string') {
    if (!isStorableText(value)) problems.push(problemAt(path || 'body'));
    return;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) collect(value[i], `${path}[${i}]`, problems, depth + 1);
    return;
  }
  if (Buffer.isBuffer(value)) return;
  for (const key of Object.keys(value)) {
    const field = join(path, key);
    if (!isStorableText(key)) problems.push(problemAt(field, 'name'));
    collect((value as Record<string, unknown>)[key], field, problems, depth + 1);
  }
}

function problemAt(field: string, what: 'value' | 'name' = 'value'): FieldProblem {
  return {
    field,
    message: `${field} ${what === 'name' ? 'is a name that holds' : 'holds'} a character that cannot be stored (NUL or an unpaired UTF-16 surrogate)`,
  };
}

/** Throws InvalidCharactersError when any of the values holds an unstorable character. */
export function assertStorable(...values: [value: unknown, parent?: string][]): void {
  const problems: FieldProblem[] = [];
  for (const [value, parent] of values) unstorableFields(value, parent ?? '', problems);
  if (problems.length > 0) throw new InvalidCharactersError(problems);
}

/**
 * One check for every route: the path parameters, the query and the parsed JSON body of each request
 * before its handler runs (400 `invalid_characters` naming each field). Multipart fields are read by
 * their handler and checked there with `assertStorable`.
 */
export function refuseUnstorableText(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, _reply, done) => {
    const { params, query, body } = request;
    if (!mayHold(params) && !mayHold(query) && !mayHold(body)) return done();
    try {
      assertStorable([params], [query], [body]);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
}

/** Cheap pre-check: nothing to walk (the usual bodyless GET). */
function mayHold(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return true;
  return typeof value === 'object' && (Array.isArray(value) || Object.keys(value).length > 0);
}
