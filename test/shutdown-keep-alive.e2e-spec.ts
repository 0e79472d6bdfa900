import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { KeepAliveLoad } from './support/keep-alive-load';
import { startService } from './support/service-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a new TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/**
 * Issue 26, item 5: SIGTERM with the default SHUTDOWN_DRAIN_MS (0) while 50 keep-alive connections send
 * one request after another: every request written on an open connection is answered (none reset),
 * new connections are refused, and the process exits 0.
 */
describe('issue 26: SIGTERM under keep-alive load answers every request already sent', () => {
  let db: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'shutdown-keepalive-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('50 keep-alive connections, SIGTERM: 0 requests unanswered, new connections refused, exit 0', async () => {
    const p = await startService({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      TELEGRAM_EMULATOR: 'true',
      TELEGRAM_EMULATOR_IN_PROCESS: 'true',
      RATE_LIMIT_ENABLED: 'false',
    });
    try {
      const port = Number(new URL(p.base).port);
      const token = jwt.sign({ user_id: 9 }, TEST_JWT_SECRET, { expiresIn: 600 });
      const load = new KeepAliveLoad(
        new URL(`${p.base}/api/v1/telegram/accounts?active_only=true`),
        { authorization: `Bearer ${token}` },
        50,
      );
      await load.warmedUp();
      await sleep(500);
      p.kill('SIGTERM');
      let refusedAfter = 0;
      const signalledAt = Date.now();
      while (p.child.exitCode === null && refusedAfter === 0 && Date.now() - signalledAt < 10_000) {
        if (await refused(port)) refusedAfter = Date.now() - signalledAt;
        else await sleep(50);
      }
      const exit = await p.exit;
      const result = await load.stop();
      process.stdout.write(
        `SIGTERM under keep-alive load: ${JSON.stringify(result)}; refused new connections ${refusedAfter} ms after SIGTERM; exit ${exit.code}\n`,
      );
      expect(result.sent).toBeGreaterThan(100);
      expect(result.unanswered).toEqual({});
      const answered = Object.values(result.statuses).reduce((a, b) => a + b, 0);
      expect(answered).toBe(result.sent);
      expect(Object.keys(result.statuses).filter((s) => s !== '200' && s !== '503')).toEqual([]);
      expect(result.closedByServer).toBe(50);
      expect(refusedAfter).toBeGreaterThan(0);
      expect(exit.code).toBe(0);
    } finally {
      p.kill('SIGKILL');
    }
  }, 60000);
});
