import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TargetLoad, type HttpRequestSpec, type LoadSettings } from './autocannon';
import type { RunningServer } from './child';
import type { TargetRun } from './report';

export interface CompareOptions {
  load: LoadSettings;
  /** Write a V8 CPU profile of these servers' measured slices to `<profileDir>/<label>-<key>.cpuprofile`. */
  profile: { labels: string[]; dir: string; written: string[] };
}

/**
 * Loads one route on both servers, one at a time: a warm-up each, then `rounds` measured slices in
 * an A B B A … order, so a change in the machine's background load (other jobs, the database's
 * checkpointer) lands on both sides alike. Also reads each server's CPU time around every slice.
 */
export async function compareRoute(
  key: string,
  request: HttpRequestSpec,
  servers: [RunningServer, RunningServer],
  options: CompareOptions,
): Promise<[TargetRun, TargetRun]> {
  const targets = servers.map((server) => ({
    server,
    load: new TargetLoad(server.baseUrl, request, options.load),
    cpuMicros: 0,
    profiling: options.profile.labels.includes(server.label) || options.profile.labels.includes('both'),
    profileFile: join(options.profile.dir, `${server.label}-${key}.cpuprofile`),
  }));
  for (const target of targets) await target.load.warmUp();
  for (const target of targets.filter((t) => t.profiling)) {
    mkdirSync(options.profile.dir, { recursive: true });
    await target.server.control({ type: 'profile-start' });
  }
  for (let round = 0; round < options.load.rounds; round += 1) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const before = await target.server.control({ type: 'cpu' });
      await target.load.slice();
      target.cpuMicros += (await target.server.control({ type: 'cpu' })) - before;
    }
  }
  for (const target of targets.filter((t) => t.profiling)) {
    await target.server.control({ type: 'profile-stop', file: target.profileFile });
    options.profile.written.push(target.profileFile);
  }
  const [first, second] = targets.map((target): TargetRun => {
    const measured = target.load.result();
    return {
      ...measured,
      cpuUsPerRequest: measured.totalRequests > 0 ? target.cpuMicros / measured.totalRequests : 0,
    };
  });
  return [first, second];
}
