import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PersistedWorld } from '../world-state';
import type { TelegramEmulatorServer } from './emulator-server';

/**
 * The emulated world kept on disk (`<dataDir>/emulator/world.json`, mode 0600: it holds auth keys), so a
 * restarted emulator server knows the keys its clients hold and who they are signed in as: the service's
 * stored sessions reconnect as `connected`. Codes, QR tokens and live connections are not kept; users,
 * their dialogs and bots follow from their phone numbers and tokens, as before.
 */
interface WorldFile {
  readonly version: 1;
  readonly auth_keys: readonly { dc_id: number; auth_key: string; salt: string }[];
  readonly world: PersistedWorld;
}

export const WORLD_SAVE_INTERVAL_MS = 1000;

function serialize(server: TelegramEmulatorServer): string {
  const file: WorldFile = {
    version: 1,
    auth_keys: server.keys.all().map((key) => ({
      dc_id: key.dcId,
      auth_key: key.authKey.toString('base64'),
      salt: key.salt.toString('base64'),
    })),
    world: server.world.exportWorld(),
  };
  return `${JSON.stringify(file)}\n`;
}

/** Loads a world file into a server not yet started; returns the number of auth keys found (0: no file). */
export function loadWorld(path: string, server: TelegramEmulatorServer): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const file = JSON.parse(text) as WorldFile;
  if (file.version !== 1) throw new Error(`${path}: unknown world file version ${String(file.version)}`);
  for (const key of file.auth_keys) {
    server.keys.register(key.dc_id, Buffer.from(key.auth_key, 'base64'), Buffer.from(key.salt, 'base64'));
  }
  server.world.importWorld(file.world);
  return file.auth_keys.length;
}

/** Writes the world whenever it changed (checked every interval) and once more on `close()`. */
export function keepWorld(
  path: string,
  server: TelegramEmulatorServer,
  intervalMs = WORLD_SAVE_INTERVAL_MS,
): { save(): void; close(): void } {
  mkdirSync(dirname(path), { recursive: true });
  let written = '';
  const save = () => {
    const text = serialize(server);
    if (text === written) return;
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, path); // never a half-written file, even when killed mid-save
    written = text;
  };
  const timer = setInterval(save, intervalMs);
  timer.unref();
  return {
    save,
    close: () => {
      clearInterval(timer);
      save();
    },
  };
}
