/**
 * docs/configuration.md lists every environment variable `src/config` reads. The names come from two
 * places, so neither a literal nor a name built at run time (`${prefix}_TLS_CA_FILE`) slips through:
 * the reader calls in the source, and the keys `loadConfig` actually asks its environment for.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './app-config';
import type { Env } from './env';

const CONFIG_DIR = __dirname;
const DOC = join(__dirname, '..', '..', 'docs', 'configuration.md');
const NAME = /^[A-Z][A-Z0-9_]*[A-Z0-9]$/;

/** `r.integer('PORT', …)`, `env.PORT`, `env['PORT']` in the non-spec files of src/config. */
function namesInSource(): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\.(?:string|secret|boolean|integer|oneOf|url|problem)\(\s*['"`]([A-Z][A-Z0-9_]+)['"`]/g,
    /\benv\.([A-Z][A-Z0-9_]+)\b/g,
    /\benv\[\s*['"`]([A-Z][A-Z0-9_]+)['"`]\s*\]/g,
  ];
  for (const file of readdirSync(CONFIG_DIR)) {
    if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
    const source = readFileSync(join(CONFIG_DIR, file), 'utf8');
    for (const pattern of patterns) {
      for (const [, name] of source.matchAll(pattern)) if (name) names.add(name);
    }
  }
  return names;
}

/** Every key loadConfig reads from `base`, including the ones only read when TLS is on. */
function namesRead(base: Env): Set<string> {
  const names = new Set<string>();
  const env = new Proxy(base, {
    get(target, key) {
      if (typeof key === 'string' && NAME.test(key)) names.add(key);
      return typeof key === 'string' ? target[key] : undefined;
    },
  });
  try {
    loadConfig(env, '/srv');
  } catch {
    // A configuration this test invents may be refused; what was read until then still counts.
  }
  return names;
}

function documented(): string {
  return readFileSync(DOC, 'utf8');
}

describe('docs/configuration.md', () => {
  const environments: Env[] = [
    {},
    { NODE_ENV: 'production' },
    {
      DATABASE_URL: 'postgresql://app@db.example:5432/integration?sslmode=verify-full',
      REDIS_URL: 'rediss://cache.example:6379',
      VAULT_URL: 'https://vault.example:8200',
      VAULT_TOKEN: 'fake-token',
      AMQP_URL: 'amqps://app@broker.example:5671',
      TELEGRAM_EMULATOR_URL: 'tcp://127.0.0.1:19443',
    },
  ];

  it('finds the variables src/config reads (the check below is not vacuous)', () => {
    const names = new Set([...namesInSource(), ...environments.flatMap((env) => [...namesRead(env)])]);
    expect(names.size).toBeGreaterThan(80);
    expect([...names]).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'PORT', 'REDIS_TLS_CA_FILE', 'AMQP_TLS_SERVERNAME']),
    );
  });

  it('lists every one of them', () => {
    const doc = documented();
    const names = new Set([...namesInSource(), ...environments.flatMap((env) => [...namesRead(env)])]);
    const missing = [...names].filter((name) => !doc.includes(`\`${name}\``)).sort();
    expect(missing).toEqual([]);
  });
});
