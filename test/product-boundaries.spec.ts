/**
 * Test fakes and benchmarks stay out of the product (issue 25, item 2 of the boundaries): no file
 * of the service under src/ imports from test/ or bench/, and the service's build (tsconfig.build.json)
 * compiles neither. Unit specs (`*.spec.ts`) live beside the code and may use test/'s fakes and
 * support: the build never compiles them. Benchmarks have their own build, tsconfig.bench.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');
const OUTSIDE = ['test', 'bench'].map((dir) => join(ROOT, dir));

function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return productFiles(path);
    return /\.ts$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

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
