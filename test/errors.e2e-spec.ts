import { Controller, Get, Module } from '@nestjs/common';
import { Public } from '../src/common/auth/public.decorator';
import { bearer, openTestApp, type OpenedTestApp } from './support/app';

@Controller('test-only')
class ExplodingController {
  @Public()
  @Get('boom')
  boom(): never {
    throw new Error('secret internal detail: password=hunter2 at /srv/app/db.ts:42');
  }
}

@Module({ controllers: [ExplodingController] })
class ExplodingModule {}

describe('errors', () => {
  let t: OpenedTestApp;

  beforeAll(async () => {
    t = await openTestApp({ RATE_LIMIT_ENABLED: 'false' }, { extraImports: [ExplodingModule] });
  });
  afterAll(() => t.close());

  it('unknown route → 404 JSON', async () => {
    const res = await t.inject('/api/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status_code: 404, code: 'not_found', request_id: expect.any(String) });
  });

  it('unknown route under the guarded prefix is still 404, not 401', async () => {
    expect((await t.inject('/api/v1/telegram/nothing-here')).statusCode).toBe(404);
  });

  it('a 500 says nothing internal, only a request id, which it also returns as a header', async () => {
    const res = await t.inject({ url: '/test-only/boom', headers: { 'x-request-id': 'req-500-check' } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      status_code: 500,
      error: 'Internal Server Error',
      code: 'internal_error',
      message: 'Internal server error',
      request_id: 'req-500-check',
    });
    expect(res.headers['x-request-id']).toBe('req-500-check');
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('.ts');
    // The log keeps the detail for operators, correlated by request id, with the secret scrubbed.
    const line = t.logs().find((l) => l.message === 'Unhandled error');
    expect(line).toMatchObject({ request_id: 'req-500-check', level: 'error' });
    expect(JSON.stringify(line)).toContain('secret internal detail');
    expect(t.rawLogs()).not.toContain('hunter2');
  });

  it('malformed JSON → 400 without echoing the body', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/telegram/accounts',
      headers: { ...bearer(t.token(1)), 'content-type': 'application/json' },
      payload: '{"password": hunter2',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('hunter2');
  });

  it('a request id that is not a sane token is replaced by a fresh one', async () => {
    const res = await t.inject({
      url: '/health',
      headers: { 'x-request-id': 'bad id with spaces <script>' },
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
