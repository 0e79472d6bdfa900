import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { createApp } from '../src/create-app';
import { BenchEchoModule } from './echo.module';
import { serveChild, type ServiceStartMessage } from './lib/protocol';

/**
 * The service under test, in its own process: the real application from `createApp` (every module,
 * guard, pipe, filter, hook and the logger), plus the benchmark's echo route.
 */
serveChild<ServiceStartMessage>(async ({ env }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'integration-bench-'));
  const config = loadConfig({ ...env, DATA_DIR: dataDir });
  const app = await createApp(config, { extraImports: [BenchEchoModule] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    port,
    fastifyVersion: app.getHttpAdapter().getInstance().version,
    stop: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
