import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startService } from './support/service-process';
import { emulatorCode } from './support/telegram';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM under load, as Kubernetes does it: the pod is told to stop while the load balancer still
 * sends it traffic for a moment (SHUTDOWN_DRAIN_MS covers that moment; the load here stops within it).
 */
describe('graceful shutdown under load', () => {
  let db: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'shutdown-test-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGTERM with 50 connections busy: readiness 503, sessions handed over at once, 0 failed requests, exit 0', async () => {
    const p = await startService({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      TELEGRAM_EMULATOR: 'true',
      RATE_LIMIT_ENABLED: 'false',
      SHUTDOWN_DRAIN_MS: '2500',
      SHUTDOWN_TIMEOUT_MS: '5000',
      TELEGRAM_CLIENT_IDLE_MS: '600000',
    });
    try {
      const phone = '+9996610901';
      await p.request(9, 'POST', '/api/v1/telegram/connect', { phone });
      const signedIn = await p.request(9, 'POST', '/api/v1/telegram/connect', {
        phone,
        code: emulatorCode(phone),
      });
      const sessionId = signedIn.body.session_id as string;
      const owner = async () =>
        (
          await db.query<{ owner: string | null }>(
            'SELECT owner FROM telegram_session_leases WHERE key = $1',
            [sessionId],
          )
        )[0]?.owner;
      expect(await owner()).toContain(`:${p.child.pid}:`);

      const token = jwt.sign({ user_id: 9 }, TEST_JWT_SECRET, { expiresIn: 600 });
      const load = autocannon({
        url: `${p.base}/api/v1/telegram/accounts?active_only=true`,
        connections: 50,
        duration: 3,
        headers: { authorization: `Bearer ${token}` },
      });
      await sleep(1000);
      const signalledAt = Date.now();
      p.kill('SIGTERM');
      // The session's lease is free at once (not after the drain), while the replica still serves.
      let released = 0;
      while (released === 0 && Date.now() - signalledAt < 2000) {
        if ((await owner()) === null) released = Date.now() - signalledAt;
        else await sleep(20);
      }
      expect(released).toBeGreaterThan(0);
      expect((await fetch(`${p.base}/api/v1/health/readiness`)).status).toBe(503);
      expect((await fetch(`${p.base}/api/v1/health/liveness`)).status).toBe(200);
      const result = await load;
      const exit = await p.exit;
      process.stdout.write(
        `SIGTERM under load: ${result.requests.total} requests, ${result.errors} errors, ${result.non2xx} non-2xx, ` +
          `${result.timeouts} timeouts; lease released ${released} ms after SIGTERM; exit ${exit.code}\n`,
      );
      expect(result.requests.total).toBeGreaterThan(100);
      expect(result.errors).toBe(0);
      expect(result.timeouts).toBe(0);
      expect(result.non2xx).toBe(0);
      expect(exit.code).toBe(0);
      expect(exit.stdout).toContain('SIGTERM received: readiness now 503, draining for 2500 ms');
    } finally {
      p.kill('SIGKILL');
    }
  }, 60000);
});
