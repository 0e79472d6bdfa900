/**
 * Test fakes and benchmarks stay out of the product (issue 25, item 2 of the boundaries): no file
 * of the service under src/ imports from test/ or bench/, and the service's build (tsconfig.build.json)
 * compiles neither. Unit specs (`*.spec.ts`) live beside the code and may use test/'s fakes and
 * support: the build never compiles them. Benchmarks have their own build, tsconfig.bench.json.
 *
 * The Telegram emulator stays out of the product too (issue 25, item 1): it is its own package,
 * packages/telegram-emulator, a devDependency; only src/telegram-emulator-wiring imports it, and nothing
 * production loads imports that wiring except by a dynamic import behind TELEGRAM_EMULATOR.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');
const OUTSIDE = ['test', 'bench'].map((dir) => join(ROOT, dir));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return /\.ts$/.test(entry.name) ? [path] : [];
  });
}

const productFiles = (dir: string): string[] => tsFiles(dir).filter((file) => !/\.spec\.ts$/.test(file));

/** Every relative specifier a file imports (statically, dynamically, by require or re-export). */
function relativeSpecifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.[^'"]*)['"]/gm;
  return [...source.matchAll(pattern)].map((m) => m[1]);
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

/** `file imports target` for each import of a src/ file that lands in test/ or bench/. */
export function crossings(files: string[], read: (file: string) => string): string[] {
  return files.flatMap((file) =>
    relativeSpecifiers(read(file))
      .map((specifier) => resolve(dirname(file), specifier))
      .filter((target) => OUTSIDE.some((dir) => inside(target, dir)))
      .map((target) => `${relative(ROOT, file)} imports ${relative(ROOT, target)}`),
  );
}

function buildFiles(configName: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, configName), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`${configName} could not be read`);
  return parsed.fileNames.map((file) => resolve(file));
}

describe('product boundaries', () => {
  it('no file of the service under src/ imports from test/ or bench/', () => {
    expect(crossings(productFiles(SRC), (file) => readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('notices an import of a fake or a benchmark (the check itself works)', () => {
    const file = join(SRC, 'vault', 'example.ts');
    const sources: Record<string, string> = {
      [file]: [
        "import { FakeVault } from '../../test/fakes/vault';",
        "export { run } from '../../bench/run';",
        "const x = require('../../test/support/app');",
        "import { VaultKv } from './vault-kv';",
      ].join('\n'),
    };
    expect(crossings([file], (path) => sources[path])).toEqual([
      'src/vault/example.ts imports test/fakes/vault',
      'src/vault/example.ts imports bench/run',
      'src/vault/example.ts imports test/support/app',
    ]);
  });

  it("the service's build compiles no spec, no test/ and no bench/ file", () => {
    const files = buildFiles('tsconfig.build.json');
    expect(files.length).toBeGreaterThan(100);
    const outside = files.filter(
      (file) => OUTSIDE.some((dir) => inside(file, dir)) || /\.spec\.ts$|spec-helpers\.ts$/.test(file),
    );
    expect(outside.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('the benchmarks have their own build, which `npm run bench` runs', () => {
    const files = buildFiles('tsconfig.bench.json').map((file) => relative(ROOT, file));
    expect(files).toContain(join('bench', 'run.ts'));
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts['build:bench']).toBe('tsc -p tsconfig.bench.json');
    expect(scripts.bench).toMatch(/npm run build:bench && node dist\/bench\/run\.js/);
  });
});

const EMULATOR_PACKAGE = '@integration-service/telegram-emulator';
const WIRING = join(SRC, 'telegram-emulator-wiring');

/** The package specifiers a file imports, however (statically, type-only, dynamically, by require). */
function packageSpecifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'".][^'"]*)['"]/gm;
  return [...source.matchAll(pattern)].map((m) => m[1]);
}

/** The relative specifiers a file loads when it is loaded: static value imports and re-exports (not `import type`, not `import()`). */
export function staticImports(source: string): string[] {
  const pattern = /^\s*(?:import|export)\s+(?!type\s)(?:[^;'"]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;
  return [...source.matchAll(pattern)].map((m) => m[1]);
}

/** Every file under src/ that loading `entries` loads, following static imports only. */
function loadedFiles(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of staticImports(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), specifier);
      const candidates = [`${target}.ts`, join(target, 'index.ts')];
      const found = candidates.find((candidate) => existsSync(candidate));
      if (found) queue.push(found);
    }
  }
  return seen;
}

describe('the Telegram emulator is not part of the product', () => {
  it('no file under src/ but the wiring module (src/telegram-emulator-wiring) imports the emulator package', () => {
    const importers = tsFiles(SRC).filter((file) =>
      packageSpecifiers(readFileSync(file, 'utf8')).some(
        (s) => s === EMULATOR_PACKAGE || s.startsWith(`${EMULATOR_PACKAGE}/`),
      ),
    );
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((file) => !inside(file, WIRING)).map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('what production loads (main.ts, the CLIs) reaches the wiring by dynamic import() only', () => {
    const entries = [join(SRC, 'main.ts'), ...productFiles(join(SRC, 'cli'))];
    const loaded = [...loadedFiles(entries)];
    expect(loaded.length).toBeGreaterThan(100);
    expect(loaded.filter((file) => inside(file, WIRING)).map((file) => relative(ROOT, file))).toEqual([]);
    const dynamic = /\bimport\(\s*'\.\/telegram-emulator-wiring\/[^']+\.js'\s*\)/;
    expect(dynamic.test(readFileSync(join(SRC, 'app.module.ts'), 'utf8'))).toBe(true);
    expect(dynamic.test(readFileSync(join(SRC, 'main.ts'), 'utf8'))).toBe(true);
  });

  it('notices a static import of the wiring (the check itself works)', () => {
    const source = [
      "import type { TelegramEmulatorModuleOptions } from './telegram-emulator-wiring/telegram-emulator.module';",
      "import { TelegramEmulatorModule } from './telegram-emulator-wiring/telegram-emulator.module';",
      "export { ensureEmulatorServer } from './telegram-emulator-wiring/npm-start-emulator';",
      "import './telegram-emulator-wiring/side-effect';",
      "const m = await import('./telegram-emulator-wiring/telegram-emulator.module.js');",
    ].join('\n');
    expect(staticImports(source)).toEqual([
      './telegram-emulator-wiring/telegram-emulator.module',
      './telegram-emulator-wiring/npm-start-emulator',
      './telegram-emulator-wiring/side-effect',
    ]);
  });

  it("the service's build compiles no emulator file, and its dist holds none", () => {
    const emulator = join(ROOT, 'packages', 'telegram-emulator');
    const compiled = buildFiles('tsconfig.build.json').filter((file) => inside(file, emulator));
    expect(compiled.map((file) => relative(ROOT, file))).toEqual([]);
    // The service's dist (built by npm test's pretest; the image copies it): no emulator file in it.
    const dist = join(ROOT, 'dist');
    if (!existsSync(dist)) return;
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    const names = new Set(
      tsFiles(join(emulator, 'src')).map((file) =>
        relative(join(emulator, 'src'), file).replace(/\.ts$/, ''),
      ),
    );
    const emulatorFiles = files(join(dist, 'src')).filter((file) => {
      const path = relative(join(dist, 'src'), file).replace(/\.(js|js\.map|d\.ts)$/, '');
      return names.has(path) || /telethon_schema\.py$|emulator-server|mtproto/.test(path);
    });
    expect(emulatorFiles.map((file) => relative(ROOT, file))).toEqual([]);
    expect(existsSync(join(dist, 'packages'))).toBe(false);
  });

  it('the built service loads without the emulator package (production has none installed)', () => {
    const dist = join(ROOT, 'dist', 'src');
    if (!existsSync(join(dist, 'main.js'))) return; // built by npm test's pretest
    // The whole Nest application's module graph (main.js would start the service: its own imports are
    // checked above), with the package made unresolvable as after `npm ci --omit=dev`.
    const script = [
      "const { registerHooks } = require('node:module');",
      'registerHooks({ resolve(specifier, context, next) {',
      `  if (specifier.startsWith('${EMULATOR_PACKAGE}')) throw new Error('loaded ' + specifier);`,
      '  return next(specifier, context);',
      '} });',
      'require(process.argv[2]);',
      'process.stdout.write(typeof require(process.argv[1]).AppModule.forRoot);',
      // The check itself works: the wiring does need the package.
      "try { require(process.argv[3]); } catch (e) { process.stdout.write(' ' + e.message); }",
    ].join('\n');
    const files = ['app.module.js', 'create-app.js', 'telegram-emulator-wiring/telegram-emulator.module.js'];
    const loaded = execFileSync(process.execPath, ['-e', script, ...files.map((f) => join(dist, f))], {
      encoding: 'utf8',
    });
    expect(loaded).toBe(`function loaded ${EMULATOR_PACKAGE}`);
  });

  it('is a devDependency: `npm ls --omit=dev` does not list it (`npm ls` does)', () => {
    const { devDependencies, dependencies } = JSON.parse(
      readFileSync(join(ROOT, 'package.json'), 'utf8'),
    ) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(devDependencies[EMULATOR_PACKAGE]).toBe('file:packages/telegram-emulator');
    expect(dependencies[EMULATOR_PACKAGE]).toBeUndefined();
    const ls = (...args: string[]) =>
      execFileSync('npm', ['ls', '--all', '--parseable', ...args], { cwd: ROOT, encoding: 'utf8' });
    expect(ls()).toContain(join('node_modules', EMULATOR_PACKAGE));
    const production = ls('--omit=dev');
    expect(production).toContain(join('node_modules', 'telegram'));
    expect(production).not.toContain('telegram-emulator');
  });
});
