/**
 * package.json tells the truth: every package imported by src/, migrations/, test/, bench/, deploy/ or
 * web/ is declared (code that ships in `dependencies`; the console in web/ is bundled at build time, so
 * its packages are devDependencies), and every declared package is imported or has a stated reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');

/** Declared without being imported: peers the framework loads, tools, and type packages. */
const NOT_IMPORTED: Record<string, string> = {
  'pino-http': 'peer of nestjs-pino',
  'reflect-metadata': 'peer of @nestjs/core (decorator metadata)',
  rxjs: 'peer of @nestjs/common and @nestjs/core',
  '@swc/core': 'compiler behind @swc/jest',
  '@swc/jest': 'jest transform (jest.config.js)',
  eslint: 'npm run lint',
  '@eslint/js': 'eslint.config.mjs',
  'typescript-eslint': 'eslint.config.mjs',
  '@types/node': 'Node.js types for tsc',
  prettier: 'npm run lint / format',
  'dependency-cruiser': 'npm run lint (the folder-level cycle check, .dependency-cruiser.cjs)',
  typescript: 'npm run build',
  jest: 'npm test',
  // packages/telegram-emulator's devDependencies, installed from here: npm installs no devDependencies of
  // a file: dependency.
  '@mtcute/core': "packages/telegram-emulator's conformance specs (its devDependency)",
  '@mtcute/node': "packages/telegram-emulator's conformance specs (its devDependency)",
  '@mtcute/tl':
    "packages/telegram-emulator's layer translator reads its api-schema.json (a schema file, not a module) in development",
  node: 'the Node.js 24 binary first on the PATH of every npm script (the machine may have an older one)',
  'eslint-plugin-react-hooks': 'eslint.config.mjs (the console in web/)',
};

/**
 * Imported by src/ yet a devDependency: the Telegram emulator, which only src/telegram-emulator-wiring
 * imports and the service loads with a dynamic import when TELEGRAM_EMULATOR is on (never in production;
 * product-boundaries.spec.ts proves it).
 */
const DEV_ONLY_IN_SRC = new Set(['@integration-service/telegram-emulator']);
const EMULATOR = join(ROOT, 'packages', 'telegram-emulator');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return undefined;
  const name = specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : specifier.split('/')[0];
  return builtinModules.includes(name) ? undefined : name;
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** Package name → the top-level folders importing it. */
function importedPackages(): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const folder of ['src', 'migrations', 'test', 'bench', 'deploy', 'web']) {
    for (const file of sourceFiles(join(ROOT, folder))) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const name = packageOf(specifier);
        // Specs and the emulator's conformance harnesses under src/ are test code, never built.
        const testCode = /\.spec\.ts$|\/conformance\//.test(file);
        const folder = testCode ? 'test' : relative(ROOT, file).split('/')[0];
        if (name) used.set(name, (used.get(name) ?? new Set()).add(folder));
      }
    }
  }
  return used;
}

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const runtime = new Set(Object.keys(pkg.dependencies));
  const all = new Set([...runtime, ...Object.keys(pkg.devDependencies)]);
  const used = importedPackages();

  it('declares every imported package; what src/ and migrations/ import is a runtime dependency', () => {
    const problems: string[] = [];
    for (const [name, folders] of used) {
      const shipped = folders.has('src') || folders.has('migrations');
      if (shipped && !runtime.has(name) && !DEV_ONLY_IN_SRC.has(name))
        problems.push(`${name} (imported by src/migrations) is not in dependencies`);
      else if (!all.has(name))
        problems.push(`${name} (imported by ${[...folders].join(', ')}) is not declared`);
    }
    expect(problems).toEqual([]);
  });

  it('declares nothing that is not imported, except peers and tools with a reason', () => {
    const unused = [...all].filter(
      (name) =>
        !used.has(name) && !(name in NOT_IMPORTED) && !(name.startsWith('@types/') && all.has(name.slice(7))),
    );
    expect(unused).toEqual([]);
  });
});

describe("packages/telegram-emulator's package.json", () => {
  const pkg = JSON.parse(readFileSync(join(EMULATOR, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('declares what its code imports in dependencies, what its specs import at least in devDependencies', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(join(EMULATOR, 'src'))) {
      const testCode = /\.spec\.ts$|\/conformance\/|\/testing\.ts$/.test(file);
      const declared = testCode ? { ...pkg.dependencies, ...pkg.devDependencies } : pkg.dependencies;
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const name = packageOf(specifier);
        if (name && !(name in declared)) problems.push(`${relative(EMULATOR, file)}: ${name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('pins the versions the service installs', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const installed = { ...root.dependencies, ...root.devDependencies };
    const own = { ...pkg.dependencies, ...pkg.devDependencies };
    expect(Object.entries(own).filter(([name, version]) => installed[name] !== version)).toEqual([]);
  });
});
