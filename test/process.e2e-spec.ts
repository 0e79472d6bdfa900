import { createServer, type Server } from 'node:net';
import jwt from 'jsonwebtoken';
import { freePort } from '../src/database/embedded-postgres';
import { createTestDatabase, type TestDatabase } from './support/database';
import { TEST_JWT_SECRET } from './support/app';
import { finished, runNode, spawnNode } from './support/process';

/** These run the built entry points (`npm test` builds first), as an operator would. */
describe('the service process', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('bad configuration → exit 1 with one clear line per bad variable and no stack trace', async () => {
    const result = await runNode('src/main.js', [], {
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      JWT_SECRET: 'short',
      DATABASE_URL: 'mysql://db/x',
      RATE_LIMIT_ENABLED: 'maybe',
      TELEGRAM_API_ID: '123',
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      'Configuration error: JWT_SECRET: must be at least 32 characters long',
      'Configuration error: TELEGRAM_API_ID: TELEGRAM_API_ID and TELEGRAM_API_HASH must be set together',
      'Configuration error: LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'Configuration error: PORT: must be an integer, got "eighty"',
      'Configuration error: DATABASE_URL: must use postgres: or postgresql:, got "mysql:"',
      'Configuration error: RATE_LIMIT_ENABLED: must be true or false, got "maybe"',
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toMatch(/\bshort\b/); // the JWT_SECRET value is never echoed
  });

  it('production refuses every development default and names it', async () => {
    const result = await runNode('src/main.js', [], { NODE_ENV: 'production' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL: the embedded PostgreSQL is a development default');
    expect(result.stderr).toContain('VAULT_URL: the local cipher is a development default');
    expect(result.stderr).toContain('JWT_SECRET: a generated JWT secret is a development default');
  });

  it('serves, then on SIGTERM finishes the in-flight request and exits 0', async () => {
    // A Redis that accepts connections but never answers keeps /health/detailed busy for the check timeout.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const redisPort = (silent.address() as { port: number }).port;
    const port = await freePort();
    const child = spawnNode('src/main.js', [], {
      DATABASE_URL: db.url,
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      HEALTH_CHECK_TIMEOUT_MS: '1500',
      DATA_DIR: `${db.name}-data`,
      // These tests are about the service process alone: no emulator server child process.
      TELEGRAM_EMULATOR_IN_PROCESS: 'true',
    });
    const exit = finished(child, 30000);
    try {
      const base = `http://127.0.0.1:${port}`;
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up).toBe(true);
      const inFlight = fetch(`${base}/api/v1/health/detailed`);
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; components: { redis: { status: string } } };
      expect(body.components.redis.status).toBe('unhealthy');
      const result = await exit;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('SIGTERM received');
      await expect(fetch(`${base}/health`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      silent.close();
      const { rmSync } = await import('node:fs');
      rmSync(`${db.name}-data`, { recursive: true, force: true });
    }
  });

  it('on SIGTERM with SHUTDOWN_DRAIN_MS, readiness turns 503 first while requests are still served, then exits 0', async () => {
    const port = await freePort();
    const child = spawnNode('src/main.js', [], {
      DATABASE_URL: db.url,
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_MS: '1500',
      DATA_DIR: `${db.name}-drain-data`,
      TELEGRAM_EMULATOR_IN_PROCESS: 'true',
    });
    const exit = finished(child, 30000);
    try {
      const base = `http://127.0.0.1:${port}`;
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await fetch(`${base}/api/v1/health/readiness`).then(
          (r) => r.ok,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up).toBe(true);
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      const readiness = await fetch(`${base}/api/v1/health/readiness`);
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toMatchObject({
        status: 'error',
        error: { shutdown: { status: 'down' } },
      });
      expect((await fetch(`${base}/api/v1/health/liveness`)).status).toBe(200);
      const token = jwt.sign({ user_id: 5 }, TEST_JWT_SECRET, { expiresIn: 60 });
      const served = await fetch(`${base}/api/v1/telegram/accounts`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(served.status).toBe(200);
      const result = await exit;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('readiness now 503, draining for 1500 ms');
      await expect(fetch(`${base}/health`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      const { rmSync } = await import('node:fs');
      rmSync(`${db.name}-drain-data`, { recursive: true, force: true });
    }
  });

  it('npm run token prints a token for the requested user', async () => {
    const result = await runNode('src/cli/token.js', ['--user', '42'], {
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expect(result.code).toBe(0);
    const payload = jwt.verify(result.stdout.trim(), TEST_JWT_SECRET) as { user_id: number };
    expect(payload.user_id).toBe(42);
    const bad = await runNode('src/cli/token.js', ['--user=-1'], { JWT_SECRET: TEST_JWT_SECRET });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('--user must be a positive integer');
    const unknown = await runNode('src/cli/token.js', ['--usr', '4'], {
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('usage: npm run token');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });
});
