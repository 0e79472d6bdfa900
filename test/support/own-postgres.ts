import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './process';

/**
 * A PostgreSQL server of the test's own (embedded, on a free loopback port, in a temporary
 * directory) that the test may freeze, stop and start — never the machine's shared server.
 */
export interface OwnPostgres {
  url: string;
  /** SIGSTOP to the postmaster and every backend: connections stay open, nothing answers. */
  freeze(): void;
  /** SIGCONT to the same processes. */
  thaw(): void;
  /** Stops the server (connections dropped, new ones refused); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server for good and removes its directory. */
  destroy(): Promise<void>;
}

export async function startOwnPostgres(database = 'integration_test'): Promise<OwnPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'own-postgres-'));
  const dir = join(root, 'pg');
  let server = await runServer(dir, database);
  const port = Number(new URL(server.url).port);
  let frozen: number[] = [];
  return {
    url: server.url,
    freeze: () => {
      frozen = serverProcesses(dir);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    thaw: () => {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      frozen = [];
    },
    stop: () => server.stop(),
    start: async () => {
      server = await runServer(dir, database, port);
    },
    destroy: async () => {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * The service's own embedded-PostgreSQL starter (built, in dist/), run in a child process: the
 * package is an ES module that jest's CommonJS runtime cannot load. SIGTERM stops the server.
 */
function runServer(dir: string, database: string, port?: number): Promise<RunningServer> {
  const script = `
    const { startEmbeddedPostgres } = require(${JSON.stringify(join(ROOT, 'dist/src/database/embedded-postgres.js'))});
    startEmbeddedPostgres(${JSON.stringify(dir)}, ${JSON.stringify(database)}, undefined, ${port ?? 'undefined'})
      .then((db) => {
        process.stdout.write(JSON.stringify({ url: db.url }) + '\\n');
        process.on('SIGTERM', () => db.stop().then(() => process.exit(0)));
      })
      .catch((error) => { console.error(error.message); process.exit(1); });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (!out.includes('\n')) return;
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}: ${err}`)));
  });
}
/** The postmaster (first line of postmaster.pid) and its children, read from /proc. */
function serverProcesses(dir: string): number[] {
  const postmaster = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name (which is in parentheses): state, ppid, ...
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}
