import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';

export interface EnvironmentInfo {
  node: string;
  cpus: number;
  cpuModel: string;
  autocannon: string;
  /** Every fastify version `npm ls fastify --all` lists (one expected, thanks to package.json overrides). */
  fastifyVersionsInTree: string[];
  /** Whether @nestjs/platform-fastify loads the very same fastify file as a direct `require('fastify')`. */
  fastifySingleCopy: boolean;
}

export function describeEnvironment(root: string): EnvironmentInfo {
  const platformDir = dirname(require.resolve('@nestjs/platform-fastify/package.json', { paths: [root] }));
  return {
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    autocannon: packageVersion('autocannon', root),
    fastifyVersionsInTree: fastifyVersionsInTree(root),
    fastifySingleCopy:
      require.resolve('fastify', { paths: [platformDir] }) === require.resolve('fastify', { paths: [root] }),
  };
}

function packageVersion(name: string, root: string): string {
  const file = require.resolve(`${name}/package.json`, { paths: [root] });
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

interface NpmTreeNode {
  version?: string;
  dependencies?: Record<string, NpmTreeNode>;
}

function fastifyVersionsInTree(root: string): string[] {
  let json: string;
  try {
    json = execFileSync('npm', ['ls', 'fastify', '--all', '--json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    // npm ls exits non-zero on any tree problem but still prints the tree.
    json = String((error as { stdout?: string }).stdout ?? '{}');
  }
  const versions = new Set<string>();
  const walk = (node: NpmTreeNode) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (name === 'fastify' && child.version) versions.add(child.version);
      walk(child);
    }
  };
  walk(JSON.parse(json || '{}') as NpmTreeNode);
  return [...versions].sort();
}
