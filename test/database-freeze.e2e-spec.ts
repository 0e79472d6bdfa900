import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, startTestApp, type TestApp } from './support/app';
import { startControlledPostgres, type ControlledPostgres } from './support/embedded-postgres-process';

/**
 * hardening #7: with PostgreSQL frozen (SIGSTOP), requests on pooled connections hung 23–25 s
 * (the server's statement_timeout cannot fire in a stopped server) while new ones got 503 after
 * the connect timeout. Every query is now bounded on the client side too.
 */
describe('hardening #7: database calls are bounded on the client side', () => {
  let pg: ControlledPostgres;
  let t: TestApp;
  const root = mkdtempSync(join(tmpdir(), 'freeze-pg-'));

  beforeAll(async () => {
    pg = await startControlledPostgres(join(root, 'pg'), 'freeze_test');
    t = await startTestApp(pg.url, {
      MIGRATIONS_RUN: 'true',
      DATABASE_POOL_SIZE: '3',
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      DATABASE_QUERY_TIMEOUT_MS: '1500',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      RATE_LIMIT_ENABLED: 'false',
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await pg?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const list = (user: number) =>
    t.inject({ url: '/api/v1/telegram/accounts', headers: bearer(t.token(user)) });

  it('with the server frozen, pooled and new connections all answer 503 within the bound, then recover', async () => {
    // Warm the pool: three connections open and idle.
    await Promise.all([list(1), list(2), list(3)]);
    pg.freeze();
    try {
      const started = Date.now();
      const answers = await Promise.all(
        [1, 2, 3, 4, 5, 6].map(async (user) => {
          const res = await list(user);
          return { status: res.statusCode, retryAfter: res.headers['retry-after'], ms: Date.now() - started };
        }),
      );
      for (const answer of answers) {
        expect(answer).toMatchObject({ status: 503, retryAfter: expect.any(String) });
        // query timeout 1.5 s, connect timeout 1 s: a request waiting for a pooled connection may
        // see both, one after the other; nothing waits for the server to come back.
        expect(answer.ms).toBeLessThan(5000);
      }
    } finally {
      pg.thaw();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await list(7)).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });
});
