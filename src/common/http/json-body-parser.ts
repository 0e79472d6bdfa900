import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../errors/app-error';

/** Deeper than this and the validation pipe's recursion could exhaust the stack (a 500). */
export const JSON_MAX_DEPTH = 32;
/** Object keys plus array items in one body. */
export const JSON_MAX_MEMBERS = 10_000;

/**
 * The JSON body parser: Fastify's own (prototype-poisoning checks kept), with two differences.
 * An empty body is taken as no body at all (many clients send `Content-Type: application/json`
 * on every request, also a bodyless DELETE); and a body nested too deep or with too many members
 * is a 400 before it is parsed, let alone validated.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (request, body, done) => {
      const text = body as string;
      if (text.trim() === '') return done(null, undefined);
      const problem = complexityProblem(text);
      if (problem) return done(new BadRequestError('body_too_complex', problem), undefined);
      void parse(request, text, done);
    },
  );
}

/** One pass over the raw text, outside strings: nesting depth and member count. */
export function complexityProblem(text: string): string | undefined {
  let depth = 0;
  let members = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > JSON_MAX_DEPTH) return `JSON body is nested deeper than ${JSON_MAX_DEPTH} levels`;
      members++;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && ++members > JSON_MAX_MEMBERS)
      return `JSON body has more than ${JSON_MAX_MEMBERS} members`;
  }
  return undefined;
}
