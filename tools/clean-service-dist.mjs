// Removes the service's compiled output (and tsc's incremental record of it) before a build, so a
// file deleted or moved in src/ (the emulator moved to packages/) leaves nothing stale in dist/.
import { rmSync } from 'node:fs';

for (const path of ['dist/src', 'dist/migrations', 'dist/.tsbuildinfo'])
  rmSync(path, { recursive: true, force: true });
