import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { freePort } from '../src/database/embedded-postgres';
import { TEST_JWT_SECRET } from './support/app';
import { finished, ROOT, type Finished } from './support/process';

/** A process's parent pid and state from /proc (undefined once it is gone). */
function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** Every process below `root` now. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    const ppid = Number.isInteger(pid) ? stat(pid)?.ppid : undefined;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(root);
  return found;
}

const running = (pid: number) => {
  const state = stat(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
};
const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

async function gone(pids: number[], timeoutMs = 15_000): Promise<number[]> {
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    if (!pids.some(running)) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return pids.filter(running).map((pid) => pid);
}

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A free port with the next three free too (the emulator's DC 2, DC 3 and control port). */
async function freePortBlock(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port > 65532) continue;
    const next = await Promise.all([1, 2, 3].map((i) => canListen(port + i)));
    if (next.every(Boolean)) return port;
  }
}

interface Started {
  readonly child: ChildProcess;
  readonly base: string;
  readonly exit: Promise<Finished>;
  output(): string;
}

/**
 * `npm start`: dist/src/main.js with no DATABASE_URL and the emulator on by default, in a process group of its
 * own, as a terminal runs it (Ctrl-C sends SIGINT to that whole group).
 */
async function npmStart(dataDir: string, env: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: tmpdir(),
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      JWT_SECRET: TEST_JWT_SECRET,
      RATE_LIMIT_ENABLED: 'false',
      // Ctrl-C reaches the embedded PostgreSQL too, which may stop before the service released its session
      // lease: the restarted service waits one lease lifetime for it (409 telegram_session_busy meanwhile).
      TELEGRAM_LEASE_TTL_MS: '2000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exit = finished(child, 170_000);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 1200 && !output.includes('listening on') && child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!output.includes('listening on')) throw new Error(`npm start did not start: ${output}`);
  return { child, base: `http://127.0.0.1:${port}`, exit, output: () => output };
}

describe('npm start owns what it starts', () => {
  const token = jwt.sign({ user_id: 77 }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 600 });
  const post = async (s: Started, path: string, body?: unknown) => {
    const res = await fetch(`${s.base}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as Record<string, unknown>;
  };

  it('Ctrl-C and SIGTERM leave no process behind, a restart finds the emulated accounts it had, and the ports can be pinned', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    const seen: number[] = [];
    try {
      const [emulatorPort, pgPort] = [await freePortBlock(), await freePort()];
      const first = await npmStart(dataDir, {
        EMBEDDED_POSTGRES_PORT: String(pgPort),
        TELEGRAM_EMULATOR_PORT: String(emulatorPort),
      });
      expect(first.output()).toContain(`Telegram emulator server tcp://127.0.0.1:${emulatorPort} (pid`);
      const phone = '+9996621777';
      expect(await post(first, '/telegram/connect', { phone })).toMatchObject({ status: 'code_required' });
      const signedIn = await post(first, '/telegram/connect', { phone, code: '22222' });
      expect(signedIn).toMatchObject({ status: 'success' });
      const started = descendants(first.child.pid as number);
      seen.push(...started);
      const lines = started.map(commandLine);
      expect(lines.filter((l) => l.includes('telegram-emulator/dist/cli.js'))).toHaveLength(1);
      expect(lines.some((l) => /\/postgres .*-p (\S+)/.exec(l)?.[1] === String(pgPort))).toBe(true);

      process.kill(-(first.child.pid as number), 'SIGINT'); // Ctrl-C
      expect((await first.exit).code).toBe(0);
      expect(await gone(started)).toEqual([]);

      const second = await npmStart(dataDir);
      seen.push(...descendants(second.child.pid as number));
      const reconnect = () => post(second, `/telegram/accounts/${signedIn.session_id as string}/reconnect`);
      let reconnected = await reconnect();
      for (let i = 0; i < 20 && reconnected.code === 'telegram_session_busy'; i++) {
        await new Promise((r) => setTimeout(r, 500));
        reconnected = await reconnect();
      }
      expect(reconnected).toMatchObject({
        is_active: true,
        session_metadata: { status: 'connected', last_error: null },
      });
      const again = descendants(second.child.pid as number);
      seen.push(...again);
      expect(again.map(commandLine).filter((l) => l.includes('telegram-emulator/dist/cli.js'))).toHaveLength(
        1,
      );

      second.child.kill('SIGTERM'); // the service alone, as an orchestrator stops it
      expect((await second.exit).code).toBe(0);
      expect(await gone(again)).toEqual([]);
    } finally {
      for (const pid of seen.filter(running)) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
