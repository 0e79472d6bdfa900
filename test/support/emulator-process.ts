import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { readServerFile, type EmulatorServerFile } from '@integration-service/telegram-emulator';
import { spawnNode } from './process';

/** `npm run emulator` as a child process on free ports (the emulator package's dist/ must be built). */
export interface EmulatorProcess extends EmulatorServerFile {
  readonly child: ChildProcess;
  readonly dataDir: string;
  /** POSTs JSON to its control port. */
  control(path: string, body: unknown): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'emulator-test-'));
  const child = spawnNode(
    join('..', 'packages', 'telegram-emulator', 'dist', 'cli.js'),
    ['--port', '0', '--data', dataDir],
    {},
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let waited = 0; waited < 20_000; waited += 100) {
    const file = readServerFile(dataDir);
    if (file && file.pid === child.pid) {
      return {
        ...file,
        child,
        dataDir,
        control: async (path, body) => {
          const res = await fetch(new URL(path, file.control_url), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          return (await res.json()) as Record<string, unknown>;
        },
        stop: async () => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`emulator server did not start: ${output}`);
}
