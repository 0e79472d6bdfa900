import type { PinoLogger } from 'nestjs-pino';
import { BackgroundFaults } from './background-faults';
import { MetricsService } from './metrics.service';

function setUp() {
  const lines: { level: string; message: string }[] = [];
  const logger = {
    warn: (_facts: unknown, message: string) => lines.push({ level: 'warn', message }),
    info: (_facts: unknown, message: string) => lines.push({ level: 'info', message }),
    error: (_facts: unknown, message: string) => lines.push({ level: 'error', message }),
  } as unknown as PinoLogger;
  const metrics = new MetricsService();
  return { faults: new BackgroundFaults(metrics, logger), metrics, lines };
}

async function count(metrics: MetricsService, worker: string): Promise<number> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`background_faults_total{worker="${worker}"}`));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('BackgroundFaults', () => {
  it('counts every fault, logs the first of a streak and one line when the worker works again', async () => {
    const { faults, metrics, lines } = setUp();
    for (let i = 0; i < 5; i++) faults.fault('send_queue', { message: 'connect ECONNREFUSED' });
    expect(await count(metrics, 'send_queue')).toBe(5);
    expect(lines.map((l) => l.level)).toEqual(['warn']);
    faults.ok('send_queue');
    faults.ok('send_queue');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
    faults.fault('send_queue', new Error('again'));
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info', 'warn']);
  });

  it('an unhandled rejection is an error line every time, counted apart', async () => {
    const { faults, metrics, lines } = setUp();
    faults.unhandled(new Error('bug'));
    faults.unhandled(new Error('bug'));
    expect(await count(metrics, 'unhandled_rejection')).toBe(2);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(2);
    faults.unhandled(new Error('thrown'), 'uncaught_exception');
    expect(await count(metrics, 'uncaught_exception')).toBe(1);
    expect(lines.at(-1)?.message).toMatch(/^Uncaught exception/);
  });
});
