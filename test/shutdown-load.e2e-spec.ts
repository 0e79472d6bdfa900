import autocannon from 'autocannon';
import { accountsListLoad, serviceUnderShutdown } from './support/service-under-shutdown';
import { emulatorCode } from './support/telegram';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM under load, as Kubernetes does it: the pod is told to stop while the load balancer still
 * sends it traffic for a moment (SHUTDOWN_DRAIN_MS covers that moment; the load here stops within it).
 */
describe('graceful shutdown under load', () => {
  const service = serviceUnderShutdown('shutdown-test-');

  it('SIGTERM with 50 connections busy: readiness 503, sessions handed over at once, 0 failed requests, exit 0', async () => {
    const p = await service.start({
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
          await service
            .db()
            .query<{ owner: string | null }>('SELECT owner FROM telegram_session_leases WHERE key = $1', [
              sessionId,
            ])
        )[0]?.owner;
      expect(await owner()).toContain(`:${p.child.pid}:`);

      const { url, headers } = accountsListLoad(p.base);
      const load = autocannon({ url: url.toString(), connections: 50, duration: 3, headers });
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
