import { readFileSync } from 'node:fs';

/**
 * `node dist/bench/profile-summary.js <file.cpuprofile> [top]`: where a V8 CPU profile (from
 * BENCH_CPU_PROF=service|raw) spent its time — inclusive time per package/source area (a sample
 * counts once for every area on its stack) and the hottest functions by self time.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, name: string): string {
  if (name === '(garbage collector)') return '(gc)';
  if (name === '(idle)') return '(idle)';
  if (name === '(program)') return '(program)';
  if (!url) return '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const own = /\/dist\/((?:src|bench)\/[^/]+(?:\/[^/]+)?)/.exec(url);
  if (own) return own[1].replace(/\.js$/, '');
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]');
    process.exit(1);
  }
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );

  let total = 0;
  let idle = 0;
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  for (const [id, micros] of selfTime) {
    const leaf = byId.get(id);
    if (!leaf) continue;
    total += micros;
    if (leaf.callFrame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const key = `${leaf.callFrame.functionName || '(anonymous)'}  ${area(leaf.callFrame.url, leaf.callFrame.functionName)}:${leaf.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + micros);
    const seen = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      if (node.callFrame.functionName !== '(root)')
        seen.add(area(node.callFrame.url, node.callFrame.functionName));
    }
    for (const a of seen) inclusive.set(a, (inclusive.get(a) ?? 0) + micros);
  }
  const busy = total - idle;
  const pct = (micros: number) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
  console.log(
    `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`,
  );
  console.log('\ninclusive time by area (a sample counts for every area on its stack):');
  for (const [name, micros] of [...inclusive]
    .filter(([n]) => n !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    console.log(`  ${pct(micros)}  ${name}`);
  }
  console.log('\nself time by function:');
  for (const [name, micros] of [...self]
    .filter(([n]) => !n.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    console.log(`  ${pct(micros)}  ${name}`);
  }
}

main();
