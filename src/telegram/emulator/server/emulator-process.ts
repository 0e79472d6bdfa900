import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { LocalEmulatorControl } from '../control/emulator-control-port';
import { TelegramEmulator } from '../emulator';
import { startControlHttp } from './control-http';
import { TelegramEmulatorServer } from './emulator-server';

/** What a running emulator server process writes to `<dataDir>/emulator/server.json`. */
export interface EmulatorServerFile {
  readonly pid: number;
  /** tcp://host:port of DC 1 (DC 2 and 3 on the next ports). */
  readonly url: string;
  readonly control_url: string;
}

export const DEFAULT_EMULATOR_PORT = 19443;

export const serverFilePath = (dataDir: string): string => join(dataDir, 'emulator', 'server.json');

export interface RunningEmulator {
  readonly file: EmulatorServerFile;
  stop(): Promise<void>;
}

/** Starts one world, its three DC listeners and the control port (DC 1's port + 3), and records them. */
export async function runEmulatorServer(options: {
  host?: string;
  /** The address dc_options give clients (default: host, 127.0.0.1 for a wildcard host). */
  advertisedHost?: string;
  port: number;
  dataDir?: string;
}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const world = new TelegramEmulator();
  const server = new TelegramEmulatorServer(world, {
    host,
    basePort: options.port,
    advertisedHost: options.advertisedHost,
  });
  const endpoints = await server.start();
  const control = new LocalEmulatorControl(world, (request) => server.fault(request));
  const controlPort = options.port === 0 ? 0 : options.port + 3;
  const http = await startControlHttp(control, server, host, controlPort);
  const address = http.server.address();
  const actualControlPort = typeof address === 'object' && address ? address.port : controlPort;
  const file: EmulatorServerFile = {
    pid: process.pid,
    url: `tcp://${host}:${endpoints[0].port}`,
    control_url: `http://${host}:${actualControlPort}`,
  };
  const path = options.dataDir ? serverFilePath(options.dataDir) : undefined;
  if (path) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  }
  return {
    file,
    stop: async () => {
      await http.close();
      await server.stop();
      if (path && readServerFile(options.dataDir as string)?.pid === process.pid)
        rmSync(path, { force: true });
    },
  };
}

export function readServerFile(dataDir: string): EmulatorServerFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(serverFilePath(dataDir), 'utf8')) as EmulatorServerFile;
    return typeof parsed.pid === 'number' && typeof parsed.url === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function answers(file: EmulatorServerFile): Promise<boolean> {
  try {
    const response = await fetch(new URL('/v1/status', file.control_url), {
      signal: AbortSignal.timeout(1000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

const START_TIMEOUT_MS = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The right to start the emulator server for `dataDir`: `<dataDir>/emulator/start.lock`, created
 * exclusively and holding the starter's pid. A lock whose process is gone, or older than the start
 * timeout, is stale and taken over. Undefined while another live process holds it.
 */
function tryStartLock(dataDir: string): (() => void) | undefined {
  const path = join(dataDir, 'emulator', 'start.lock');
  mkdirSync(join(path, '..'), { recursive: true });
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return () => rmSync(path, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    const holder = Number(readFileSync(path, 'utf8'));
    const age = Date.now() - statSync(path).mtimeMs;
    // An empty file is a lock being written this instant: not stale unless it stays so.
    if ((holder > 0 && !alive(holder)) || age > START_TIMEOUT_MS) rmSync(path, { force: true });
  } catch {
    // Removed meanwhile: the next attempt takes it.
  }
  return undefined;
}

async function spawnEmulatorServer(dataDir: string, port: number): Promise<EmulatorServerFile> {
  const script = resolve(__dirname, '..', '..', '..', 'cli', 'emulator.js');
  const child = spawn(
    process.execPath,
    [script, '--port', String(port), '--data', dataDir, '--exit-with-data'],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  child.unref();
  for (let waited = 0; waited < START_TIMEOUT_MS; waited += 100) {
    await sleep(100);
    const file = readServerFile(dataDir);
    if (file && file.pid === child.pid && (await answers(file))) return file;
  }
  throw new Error(`the Telegram emulator server did not start (node ${script} --port ${port})`);
}

/**
 * `npm start` with the emulator on: reuses the emulator server recorded under `<dataDir>/emulator/` when it
 * still answers, else starts one as a detached child process (its own process group, so Ctrl-C on the
 * service and service restarts leave the world running) on free ports. It exits when its server.json is
 * removed (the data directory wiped) or on SIGTERM. Several services starting at once on one data
 * directory (replicas of a development setup) start one server between them: the one holding the start
 * lock spawns it, the others wait for its server.json and reuse it. Resolves to the server's file.
 */
export async function ensureEmulatorServer(
  dataDir: string,
  port = 0,
): Promise<EmulatorServerFile & { reused: boolean }> {
  const deadline = Date.now() + 2 * START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const existing = readServerFile(dataDir);
    if (existing && (await answers(existing))) return { ...existing, reused: true };
    const release = tryStartLock(dataDir);
    if (!release) {
      await sleep(100);
      continue;
    }
    try {
      // Another process may have finished starting one between our look and our lock.
      const started = readServerFile(dataDir);
      if (started && (await answers(started))) return { ...started, reused: true };
      return { ...(await spawnEmulatorServer(dataDir, port)), reused: false };
    } finally {
      release();
    }
  }
  throw new Error(`no Telegram emulator server answered for ${dataDir} within ${2 * START_TIMEOUT_MS} ms`);
}
