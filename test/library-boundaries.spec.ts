/**
 * Libraries are used through their public API only (issue 24): nothing in src/ imports a path a
 * package does not export, and no `as unknown as` cast reaches into an object of a library.
 *
 * The Telegram emulator, a development fake of Telegram's servers that plugs in below GramJS's TL layer
 * by design (TELEGRAM-NOTES.md, "A faithful fake of Telegram's side"), is not part of the product: it is
 * its own package, packages/telegram-emulator (issue 25). Every file under src/ is checked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');
function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return productFiles(path);
    return /\.ts$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Every bare specifier imported (statically, dynamically or by require) by a file. */
function specifiers(source: string): string[] {
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  return [...source.matchAll(pattern)]
    .map((m) => m[1])
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0]));
}

function split(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(nameLength).join('/');
  return { name: parts.slice(0, nameLength).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/** Whether a package's `exports` map (Node's subpath patterns, `*` matching any string) lists the subpath. */
export function isExported(exportsField: unknown, subpath: string): boolean {
  if (exportsField === undefined || exportsField === null) return subpath === '.';
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return subpath === '.';
  const keys = Object.keys(exportsField as Record<string, unknown>);
  if (!keys.some((k) => k.startsWith('.'))) return subpath === '.'; // conditions only: the root
  return keys.some((key) => {
    if (!key.includes('*')) return key === subpath;
    const [before, after] = key.split('*');
    return (
      subpath.startsWith(before) && subpath.endsWith(after) && subpath.length >= before.length + after.length
    );
  });
}

function exportsOf(name: string): unknown {
  const manifest = join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) throw new Error(`${name} is imported but not installed`);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown }).exports;
}

describe('library boundaries of src/', () => {
  const files = productFiles(SRC);

  it('imports only paths that packages export (without an exports map: only the package itself)', () => {
    const problems: string[] = [];
    for (const file of files) {
      for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
        const { name, subpath } = split(specifier);
        if (!isExported(exportsOf(name), subpath)) problems.push(`${relative(ROOT, file)}: ${specifier}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has no `as unknown as` cast (the way a private member of a library object is reached)', () => {
    const problems = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\bas unknown as\b/.test(line) ? [`${relative(ROOT, file)}:${i + 1}`] : [])),
    );
    expect(problems).toEqual([]);
  });

  it('reads exports maps as Node does', () => {
    const map = {
      '.': './index.js',
      './multipart': './m.js',
      './*.js': './*.js',
      './package.json': './package.json',
    };
    expect(isExported(map, '.')).toBe(true);
    expect(isExported(map, './multipart')).toBe(true);
    expect(isExported(map, './constants.js')).toBe(true);
    expect(isExported(map, './constants')).toBe(false);
    expect(isExported(undefined, '.')).toBe(true);
    expect(isExported(undefined, './built/connectors/StandaloneConnector')).toBe(false);
    expect(isExported({ import: './a.mjs', require: './a.js' }, '.')).toBe(true);
    expect(isExported({ import: './a.mjs', require: './a.js' }, './a')).toBe(false);
  });
});
