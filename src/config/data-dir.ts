import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<dataDir>` is traversable (0755) so the embedded PostgreSQL, which runs as the `postgres` user
 * when we are root, can reach its own folder; secrets live one level down in `keys/` (0700).
 */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  chmodSync(dataDir, 0o755);
}

export function ensureKeysDir(dataDir: string): string {
  ensureDataDir(dataDir);
  const keys = join(dataDir, 'keys');
  mkdirSync(keys, { recursive: true, mode: 0o700 });
  chmodSync(keys, 0o700);
  return keys;
}
