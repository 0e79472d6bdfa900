import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * How busy the machine was with *other* work while a route was measured (Linux /proc only): the
 * machine's busy CPU time minus that of the runner, the two servers and the PostgreSQL processes.
 * On a shared 2-core machine a test suite running next to the benchmark skews the numbers; this
 * says when it happened.
 */
export class BackgroundMeter {
  private readonly ticksPerSecond = clockTicks();

  constructor(
    private readonly ownPids: () => number[],
    /** The PostgreSQL postmaster; its children (backends, checkpointer, …) count as ours too. */
    private readonly postmasterPid: number | undefined,
  ) {}

  static available(): boolean {
    return existsSync('/proc/stat');
  }

  /** Returns a function that, when called, gives the share of the whole machine (0–1) others used since. */
  start(): () => number {
    const before = this.sample();
    return () => {
      const after = this.sample();
      const elapsed = after.wallSeconds - before.wallSeconds;
      const others = after.machineBusy - before.machineBusy - (after.ours - before.ours);
      return elapsed > 0 ? Math.max(0, others / this.ticksPerSecond / elapsed / availableParallelism()) : 0;
    };
  }

  private sample(): { wallSeconds: number; machineBusy: number; ours: number } {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: interrupt time is left out (it is mostly the
    // benchmark's own loopback traffic, charged to no process); steal (the hypervisor ran someone else) is in.
    const [user, nice, system, , , , , steal] = fields;
    const machineBusy = user + nice + system + (steal ?? 0);
    const stats = readAllStats();
    const pids = new Set(this.ownPids());
    if (this.postmasterPid !== undefined) {
      pids.add(this.postmasterPid);
      for (const [pid, stat] of stats) if (stat.ppid === this.postmasterPid) pids.add(pid);
    }
    let ours = 0;
    for (const pid of pids) ours += stats.get(pid)?.ticks ?? 0;
    return { wallSeconds: performance.now() / 1000, machineBusy, ours };
  }
}

/** The postmaster's pid from `<dataDir>/postmaster.pid`, when the database is the embedded one. */
export function postmasterPid(dataDir: string | undefined): number | undefined {
  if (!dataDir) return undefined;
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function readAllStats(): Map<number, { ppid: number; ticks: number }> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid … utime(14) stime(15) cutime(16) cstime(17): comm may hold spaces, so split after ")".
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(entry), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
  }
  return stats;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
