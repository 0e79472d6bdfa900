/**
 * One replica with N connected emulated accounts (each a live GramJS client parked in the gateway,
 * each holding its session lease) while the session watchdog checks all of them once per interval:
 * resident memory and event-loop lag over two watchdog intervals (so at least one whole round).
 *
 *   npm run build && node --expose-gc dist/bench/watchdog-load.js [accounts=1000] [intervalMs=30000]
 *
 * Needs DATABASE_URL (a server; a fresh database is created and dropped). The emulator runs in this
 * process, so its world is part of the measured RSS.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TelegramGateway } from '../src/telegram/gateway/telegram-gateway';
import { startEmulatedApp } from './lib/emulated-app';

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const ms = (ns: number) => Math.round(ns / 1e4) / 100;

function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m?.[1] === name && Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) {
      sum += Number(m[3]);
    }
  }
  return sum;
}

async function main(): Promise<void> {
  const accounts = Number(process.argv[2] ?? 1000);
  const intervalMs = Number(process.argv[3] ?? 30000);
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('DATABASE_URL (a PostgreSQL server) is required');
  const { app, base, connect, close } = await startEmulatedApp({
    serverUrl: server,
    prefix: 'watchdog_bench',
    env: { TELEGRAM_WATCHDOG_INTERVAL_MS: String(intervalMs) },
  });
  try {
    const loginStarted = Date.now();
    for (let i = 0; i < accounts; i++) {
      const dc = 1 + (i % 3);
      const phone = `+99966${dc}${4000 + (i % 5000)}`;
      await connect({ phone });
      const done = await connect({ phone, code: String(dc).repeat(5) });
      if (done.status !== 'success') throw new Error(`login ${i}: ${done.status}`);
    }
    const loginSeconds = (Date.now() - loginStarted) / 1000;
    (globalThis as { gc?: () => void }).gc?.();
    const before = await (await fetch(`${base}/metrics`)).text();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
    await new Promise((r) => setTimeout(r, 2 * intervalMs));
    clearInterval(sampler);
    lag.disable();
    const after = await (await fetch(`${base}/metrics`)).text();
    const checks = (text: string) => metric(text, 'telegram_watchdog_checks_total', { kind: 'session' });
    const okChecks = (text: string) =>
      metric(text, 'telegram_watchdog_checks_total', { kind: 'session', result: 'ok' });
    const usage = process.memoryUsage();
    const result = {
      accounts,
      watchdogIntervalMs: intervalMs,
      windowMs: 2 * intervalMs,
      loginSeconds,
      liveClients: app.get(TelegramGateway).liveClients,
      leasesHeld: metric(after, 'telegram_leases_held'),
      leaseEvents: Object.fromEntries(
        ['acquired', 'handed_over', 'busy', 'released', 'lost'].map((o) => [
          o,
          metric(after, 'telegram_lease_events_total', { outcome: o }),
        ]),
      ),
      checksInWindow: checks(after) - checks(before),
      okChecksInWindow: okChecks(after) - okChecks(before),
      checkSecondsAvg:
        (metric(after, 'telegram_watchdog_check_duration_seconds_sum', { kind: 'session' }) -
          metric(before, 'telegram_watchdog_check_duration_seconds_sum', { kind: 'session' })) /
        Math.max(1, checks(after) - checks(before)),
      rssMb: { end: mb(usage.rss), peak: mb(peakRss) },
      heapUsedMb: mb(usage.heapUsed),
      eventLoopLagMs: { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) },
      node: process.version,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await close();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
