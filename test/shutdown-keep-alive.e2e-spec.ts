import { connect } from 'node:net';
import { KeepAliveLoad } from './support/keep-alive-load';
import { accountsListLoad, serviceUnderShutdown } from './support/service-under-shutdown';

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
describe('SIGTERM under keep-alive load answers every request already sent', () => {
  const service = serviceUnderShutdown('shutdown-keepalive-');

  it('50 keep-alive connections, SIGTERM: 0 requests unanswered, new connections refused, exit 0', async () => {
    const p = await service.start({ TELEGRAM_EMULATOR_IN_PROCESS: 'true' });
    try {
      const port = Number(new URL(p.base).port);
      const { url, headers } = accountsListLoad(p.base);
      const load = new KeepAliveLoad(url, headers, 50);
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
