import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

/** CPU pinning of the HTTP measurements, and how to undo it. */
export interface Pinning {
  note: string;
  release(): void;
}

function setAffinity(cpuList: string, pid: number): void {
  execFileSync('taskset', ['-cp', cpuList, String(pid)], { stdio: 'ignore' });
}

/**
 * While the HTTP routes are measured — by default on Linux with `taskset` and two or more CPUs;
 * BENCH_PIN=0 leaves everything unpinned — the runner (autocannon) runs on CPU 0 and the servers on
 * CPU 1, so the scheduler cannot put a server on the core the load generator is busy on in one run
 * and not in the next (unpinned, the raw server's /health rate moved by a third between runs on a
 * 2-core machine). PostgreSQL and everything else stay free; `release` (once; again is a no-op) gives
 * the runner (and the servers, if still running) every CPU back before the other suites run.
 */
export function pinForHttp(serverPids: number[]): Pinning | undefined {
  const count = cpus().length;
  if (process.env.BENCH_PIN === '0' || process.platform !== 'linux' || count < 2) return undefined;
  const all = `0-${count - 1}`;
  try {
    setAffinity('0', process.pid);
    for (const pid of serverPids) setAffinity('1', pid);
  } catch {
    return undefined;
  }
  let released = false;
  return {
    note: 'runner on CPU 0, servers on CPU 1 while measuring (BENCH_PIN=0 turns it off)',
    release: () => {
      if (released) return;
      released = true;
      for (const pid of [process.pid, ...serverPids]) {
        try {
          setAffinity(all, pid);
        } catch {
          // A server that has already stopped needs nothing back.
        }
      }
    },
  };
}
