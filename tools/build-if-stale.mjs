// `npm start` (and `npm run token`, `npm run emulator`) build only what is missing or older than its
// sources: the Telegram emulator package (tsc → packages/telegram-emulator/dist), the service (tsc →
// dist/src) and the console (vite → dist/console). `npm run build` always builds all three.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const quiet = process.argv.includes('--silent');

/** The newest modification time under `paths` (files or folders), skipping node_modules. */
function newest(paths) {
  let latest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules') visit(join(path, entry));
    } else latest = Math.max(latest, stat.mtimeMs);
  };
  for (const path of paths) visit(join(ROOT, path));
  return latest;
}

function stale(output, sources) {
  const file = join(ROOT, output);
  return !existsSync(file) || statSync(file).mtimeMs < newest(sources);
}

const targets = [
  {
    name: 'the Telegram emulator package',
    output: 'packages/telegram-emulator/dist/.tsbuildinfo', // rewritten by every build that changes something
    sources: [
      'packages/telegram-emulator/src',
      'packages/telegram-emulator/tsconfig.json',
      'packages/telegram-emulator/tsconfig.build.json',
    ],
    command: ['npm', ['run', '--silent', 'build:emulator']],
  },
  {
    name: 'the service',
    output: 'dist/src/main.js',
    sources: ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json'],
    command: ['npm', ['run', '--silent', 'build:service']],
  },
  {
    name: 'the console',
    output: 'dist/console/index.html',
    sources: ['web', 'package-lock.json'],
    command: ['npx', ['vite', 'build', '--config', 'web/vite.config.mjs']],
  },
];

for (const target of targets) {
  if (!stale(target.output, target.sources)) continue;
  if (!quiet) console.log(`Building ${target.name} (${target.output} is missing or older than its sources)`);
  const [command, args] = target.command;
  const run = spawnSync(command, args, {
    cwd: ROOT,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
