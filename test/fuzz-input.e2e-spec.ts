import type { InjectOptions } from 'fastify';
import { bearer, type TestApp } from './support/app';
import { syncChats } from './support/messages';
import {
  bodyVariants,
  fillPath,
  LONE_HIGH,
  LONE_LOW,
  LONG,
  NUL,
  openApiDocument,
  operationsOf,
  type FuzzOperation,
} from './support/openapi-fuzz';
import { createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const USER = 2620;
const BOUNDARY = '----issue26boundary';

/** Query and path values that PostgreSQL cannot store or that are far too long (already URL-encoded). */
const URL_VALUES = ['%00abc', 'abc%00', '%ED%A0%80', '%ED%B0%80x', 'y'.repeat(5000)];
const BODY_VALUES = [NUL, LONE_HIGH, LONE_LOW, LONG];

/** Malformed multipart bodies: no boundary; a boundary but the body cut short; a part header cut short. */
const MALFORMED_MULTIPART: { headers: Record<string, string>; payload: string }[] = [
  { headers: { 'content-type': 'multipart/form-data' }, payload: 'text=hello' },
  {
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="text"\r\n\r\nhel`,
  },
  {
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload: `--${BOUNDARY}\r\nContent-Disposition: form-da`,
  },
  {
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload:
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="te\u0000xt"\r\n\r\nhi\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a\u0000.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\nabc\r\n--${BOUNDARY}--\r\n`,
  },
];

/**
 * Issue 26, item 3: NUL, unpaired surrogates, over-long strings and malformed multipart sent to every
 * route of the OpenAPI document (authenticated, path parameters filled with real or valid-looking
 * ids) never answer 5xx.
 */
describe('issue 26: input fuzzing of every route', () => {
  let world: TelegramWorld;
  let t: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
    const session = await loginByCode(t, USER, '+9996614620');
    const chats = await syncChats(t, USER, session);
    ids.session_id = session;
    ids.id = chats.get(1)!.id;
    ids.chat_id = chats.get(1)!.channel_id;
  });
  afterAll(() => world.cleanup());

  const call = (options: InjectOptions) =>
    t.inject({ ...options, headers: { ...bearer(t.token(USER)), ...(options.headers ?? {}) } });

  it('the cases of the issue: 400 invalid_characters naming the field; malformed multipart 400', async () => {
    const text = await call({
      method: 'POST',
      url: '/api/v1/telegram/send',
      payload: { session_id: ids.session_id, channel_id: ids.id, text: `hello${NUL}` },
    });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ code: 'invalid_characters', errors: [{ field: 'text' }] });

    for (const settings of [{ [`k${NUL}`]: 'v' }, { k: NUL }, { k: LONE_HIGH }]) {
      const res = await call({
        method: 'PATCH',
        url: `/api/v1/telegram/channels/${ids.id}`,
        payload: { settings },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid_characters' });
      expect(res.json().errors[0].field).toMatch(/^settings\.k/);
    }

    const search = await call({ method: 'GET', url: '/api/v1/telegram/channels?search=%00abc' });
    expect(search.statusCode).toBe(400);
    expect(search.json()).toMatchObject({ code: 'invalid_characters', errors: [{ field: 'search' }] });

    for (const body of MALFORMED_MULTIPART) {
      const res = await call({ method: 'POST', url: '/api/v1/telegram/send', ...body });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ status_code: 400, request_id: expect.any(String) });
    }
  });

  it('every route: 0 × 5xx', async () => {
    const operations = operationsOf(await openApiDocument(t));
    expect(operations.length).toBeGreaterThan(30);
    // Destructive routes last, so the others still find the real rows.
    const order = (op: FuzzOperation) => (op.method === 'DELETE' ? 1 : 0);
    operations.sort((a, b) => order(a) - order(b));
    const failures: string[] = [];
    let requests = 0;
    const check = async (label: string, options: InjectOptions) => {
      requests++;
      const res = await call(options);
      if (res.statusCode >= 500) failures.push(`${label} → ${res.statusCode} ${res.body.slice(0, 200)}`);
    };

    // Bodies that pass validation where the sample from the schema would not (one sender, one target):
    // the fuzzed field is then the only thing wrong, and the request gets as far as the database.
    const valid: Record<string, Record<string, unknown>> = {
      'POST /api/v1/telegram/send': { session_id: ids.session_id, channel_id: ids.id, text: 'hi' },
      'PATCH /api/v1/telegram/channels/{id}': { settings: { signature: 'x' } },
      'POST /api/v1/telegram/channels/sync': { session_id: ids.session_id },
    };
    for (const op of operations) {
      op.body = valid[`${op.method} ${op.path}`] ?? op.body;
      const base = fillPath(op, ids);
      const name = `${op.method} ${op.path}`;
      for (const value of URL_VALUES) {
        for (const param of op.pathParams) {
          await check(`${name} path ${param}=${value.slice(0, 12)}`, {
            method: op.method as InjectOptions['method'],
            url: fillPath(op, ids, [param, value]),
            ...(op.body ? { payload: op.body } : {}),
          });
        }
        for (const param of [...op.queryParams, 'search']) {
          await check(`${name} query ${param}=${value.slice(0, 12)}`, {
            method: op.method as InjectOptions['method'],
            url: `${base}?${param}=${value}`,
            ...(op.body ? { payload: op.body } : {}),
          });
        }
      }
      if (op.method === 'GET') continue;
      for (const value of BODY_VALUES) {
        for (const payload of bodyVariants(op.body ?? {}, value)) {
          await check(
            `${name} body ${JSON.stringify(Object.keys(payload)).slice(0, 60)} ${value.slice(0, 6)}`,
            {
              method: op.method as InjectOptions['method'],
              url: base,
              payload,
            },
          );
        }
      }
      for (const [i, body] of MALFORMED_MULTIPART.entries()) {
        await check(`${name} multipart #${i}`, {
          method: op.method as InjectOptions['method'],
          url: base,
          ...body,
        });
      }
    }
    process.stdout.write(
      `fuzz: ${operations.length} operations, ${requests} requests, ${failures.length} 5xx\n`,
    );
    expect(failures).toEqual([]);
  });
});
