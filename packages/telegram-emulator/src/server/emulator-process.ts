import { spawn, type ChildProcess } from 'node:child_process';
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
import { keepWorld, loadWorld } from './world-file';

/** What a running emulator server process writes to `<dataDir>/emulator/server.json`. */
export interface EmulatorServerFile {
  readonly pid: number;
  /** tcp://host:port of DC 1 (DC 2 and 3 on the next ports). */
  readonly url: string;
  readonly control_url: string;
}

export const DEFAULT_EMULATOR_PORT = 19443;

export const serverFilePath = (dataDir: string): string => join(dataDir, 'emulator', 'server.json');
/** Where a server run with a data directory keeps its world (world-file.ts). */
export const worldFilePath = (dataDir: string): string => join(dataDir, 'emulator', 'world.json');

export interface RunningEmulator {
  readonly file: EmulatorServerFile;
  stop(): Promise<void>;
}

/**
 * Starts one world, its three DC listeners and the control port (DC 1's port + 3), and records them. With a
 * data directory the world is loaded from and kept in `<dataDir>/emulator/world.json`.
 */
export async function runEmulatorServer(options: {
  host?: string;
  /** The address dc_options give clients (default: host, 127.0.0.1 for a wildcard host). */
  advertisedHost?: string;
  port: number;
  dataDir?: string;
}): Promise<RunningEmulator & { restoredKeys: number }> {
  const host = options.host ?? '127.0.0.1';
  const world = new TelegramEmulator();
  const server = new TelegramEmulatorServer(world, {
    host,
    basePort: options.port,
    advertisedHost: options.advertisedHost,
  });
  const worldPath = options.dataDir ? worldFilePath(options.dataDir) : undefined;
  const restoredKeys = worldPath ? loadWorld(worldPath, server) : 0;
  const kept = worldPath ? keepWorld(worldPath, server) : undefined;
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
    restoredKeys,
    stop: async () => {
      await http.close();
      await server.stop();
      kept?.close();
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

/** A server `ensureEmulatorServer` found or started. */
export interface EmulatorServerHandle extends EmulatorServerFile {
  /** Another process's server answered (`npm run emulator -- --data` on this directory): not ours to stop. */
  readonly reused: boolean;
  /** Stops the server this process started (SIGTERM, SIGKILL after 5 s) and waits for its exit; a reused one stays. */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 5000;

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function spawnEmulatorServer(dataDir: string, port: number): Promise<EmulatorServerHandle> {
  const script = resolve(__dirname, '..', 'cli.js');
  // A child in the service's own process group (Ctrl-C reaches both) with an IPC channel: the server exits
  // when the channel closes, i.e. when the service exits however it ends, SIGKILL included.
  const child = spawn(
    process.execPath,
    [script, '--port', String(port), '--data', dataDir, '--exit-with-parent'],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  child.unref();
  child.channel?.unref();
  const stop = () => stopChild(child);
  for (let waited = 0; waited < START_TIMEOUT_MS && child.exitCode === null; waited += 100) {
    await sleep(100);
    const file = readServerFile(dataDir);
    if (file && file.pid === child.pid && (await answers(file))) return { ...file, reused: false, stop };
  }
  await stop();
  throw new Error(`the Telegram emulator server did not start (node ${script} --port ${port})`);
}

/**
 * `npm start` with the emulator on: reuses a server recorded under `<dataDir>/emulator/` that still answers
 * (one `npm run emulator -- --data <dataDir>` runs), else starts one as its own child process on `port` (0:
 * free ports), which keeps its world in `<dataDir>/emulator/world.json` and lives exactly as long as the
 * service: stopped by `stop()`, by the same Ctrl-C, or by the service's exit. Several services starting at
 * once on one data directory start one server between them (the start lock); it stops with the one that
 * started it, so several service processes share `npm run emulator` instead (TELEGRAM_EMULATOR_URL).
 */
export async function ensureEmulatorServer(dataDir: string, port = 0): Promise<EmulatorServerHandle> {
  const deadline = Date.now() + 2 * START_TIMEOUT_MS;
  const reuse = (file: EmulatorServerFile): EmulatorServerHandle => ({
    ...file,
    reused: true,
    stop: () => Promise.resolve(),
  });
  while (Date.now() < deadline) {
    const existing = readServerFile(dataDir);
    if (existing && (await answers(existing))) return reuse(existing);
    const release = tryStartLock(dataDir);
    if (!release) {
      await sleep(100);
      continue;
    }
    try {
      // Another process may have finished starting one between our look and our lock.
      const started = readServerFile(dataDir);
      if (started && (await answers(started))) return reuse(started);
      return await spawnEmulatorServer(dataDir, port);
    } finally {
      release();
    }
  }
  throw new Error(`no Telegram emulator server answered for ${dataDir} within ${2 * START_TIMEOUT_MS} ms`);
}
