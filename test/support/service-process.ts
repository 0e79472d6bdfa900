import type { ChildProcess } from 'node:child_process';
import jwt from 'jsonwebtoken';
import { freePort } from '../../src/database/embedded-postgres';
import { TEST_JWT_SECRET } from './app';
import { finished, spawnNode, type Finished } from './process';

/** One replica: the built service (dist/src/main.js) as a child process on a free port. */
export interface ServiceProcess {
  child: ChildProcess;
  base: string;
  exit: Promise<Finished>;
  /** An authenticated request as `userId`; answers status, headers and the parsed JSON body. */
  request(
    userId: number,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  /** One metric's value from /metrics (the sum of the matching series), 0 when absent. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  kill(signal: NodeJS.Signals): void;
}

export async function startService(env: Record<string, string>, timeoutMs = 60000): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawnNode('src/main.js', [], {
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...env,
  });
  const exit = finished(child, 10 * 60_000);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await fetch(`${base}/api/v1/health/readiness`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      const result = await exit;
      throw new Error(`the service did not become ready: ${result.stderr.slice(-1000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    base,
    exit,
    request: async (userId, method, path, body) => {
      const token = jwt.sign({ user_id: userId }, TEST_JWT_SECRET, { expiresIn: 600 });
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
    },
    metric: async (name, labels = {}) => {
      const text = await (await fetch(`${base}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
        if (!match || match[1] !== name) continue;
        const series = match[2] ?? '';
        if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) sum += Number(match[3]);
      }
      return sum;
    },
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
