import type { TestApp } from './app';

/** One operation of the OpenAPI document, as the fuzzer needs it. */
export interface FuzzOperation {
  method: string;
  /** The path template, e.g. /api/v1/telegram/accounts/{session_id}. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** A valid-looking JSON body built from the request schema (undefined: no JSON body). */
  body?: Record<string, unknown>;
  multipart: boolean;
}

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  oneOf?: Schema[];
  allOf?: Schema[];
  items?: Schema;
  minimum?: number;
};
type Parameter = { name: string; in: string };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

export const NUL = 'nul\u0000text';
export const LONE_HIGH = 'high\ud800surrogate';
export const LONE_LOW = 'low\udc00surrogate';
export const LONG = 'x'.repeat(200_000);

/** Every operation of the document (the HTTP methods only), with a sample body for JSON ones. */
export function operationsOf(doc: OpenApiDocument): FuzzOperation[] {
  const resolve = (schema: Schema | undefined, depth = 0): Schema | undefined => {
    if (!schema || depth > 10) return schema;
    if (schema.$ref) return resolve(doc.components?.schemas?.[schema.$ref.split('/').pop() ?? ''], depth + 1);
    if (schema.oneOf?.length) return resolve(schema.oneOf[0], depth + 1);
    if (schema.allOf?.length) return resolve(schema.allOf[0], depth + 1);
    return schema;
  };
  const sample = (raw: Schema | undefined, depth = 0): unknown => {
    const schema = resolve(raw);
    if (!schema || depth > 4) return 'x';
    if (schema.example !== undefined) return schema.example;
    if (schema.enum?.length) return schema.enum[0];
    if (schema.properties) {
      return Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, sample(v, depth + 1)]));
    }
    switch (schema.type) {
      case 'integer':
      case 'number':
        return schema.minimum ?? 1;
      case 'boolean':
        return true;
      case 'array':
        return [sample(schema.items, depth + 1)];
      case 'object':
        return {};
      default:
        return schema.format === 'uuid' ? UUID : 'text';
    }
  };
  const operations: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      const body = json ? sample(json) : undefined;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        body:
          body && typeof body === 'object' && !Array.isArray(body)
            ? (body as Record<string, unknown>)
            : undefined,
        multipart: 'multipart/form-data' in content,
      });
    }
  }
  return operations;
}

export const UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

/** The path with its parameters filled (the given ids by name, else a valid-looking UUID). */
export function fillPath(
  op: FuzzOperation,
  ids: Record<string, string>,
  override?: [string, string],
): string {
  return op.path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
    override && override[0] === name ? override[1] : encodeURIComponent(ids[name] ?? UUID),
  );
}

/** The body with one top-level string field (or every string field) replaced. */
export function bodyVariants(body: Record<string, unknown>, bad: string): Record<string, unknown>[] {
  const variants: Record<string, unknown>[] = [];
  for (const key of Object.keys(body)) variants.push({ ...body, [key]: bad });
  variants.push({ ...body, [`key${bad}`]: 'value' });
  variants.push(
    Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? bad : v])),
  );
  // Objects nested one level (settings): a bad key and a bad value inside.
  for (const [key, value] of Object.entries(body)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      variants.push({ ...body, [key]: { [`k${bad}`]: 'v' } }, { ...body, [key]: { k: bad } });
    }
  }
  return variants;
}

export async function openApiDocument(t: TestApp): Promise<OpenApiDocument> {
  const res = await t.inject('/openapi.json');
  if (res.statusCode !== 200) throw new Error(`openapi.json: ${res.statusCode}`);
  return res.json<OpenApiDocument>();
}
