import type { Env } from '../../src/config/env';
import type { CreateAppOptions } from '../../src/create-app';
import { startTestApp, type TestApp } from './app';
import { createTestDatabase, type TestDatabase } from './database';
import { TcpProxy } from './tcp-proxy';

export interface ProxiedTestApp extends TestApp {
  /** The fresh database this app runs on; dropped by close(). */
  db: TestDatabase;
  /** The proxy the app reaches PostgreSQL through: the test cuts and restores it. */
  proxy: TcpProxy;
}

/**
 * A fresh database behind a TcpProxy, and the real app reaching PostgreSQL through that proxy, so a
 * test can take the database away and give it back. close() stops the app and the proxy and drops
 * the database.
 */
export async function openProxiedTestApp(
  env: Env = {},
  options: Omit<CreateAppOptions, 'logStream'> = {},
): Promise<ProxiedTestApp> {
  const db = await createTestDatabase();
  const target = new URL(db.url);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  try {
    await proxy.start();
    const t = await startTestApp(proxy.wrap(db.url), env, options);
    return {
      ...t,
      db,
      proxy,
      close: async () => {
        await t.close().catch(() => undefined);
        await proxy.stop();
        await db.drop();
      },
    };
  } catch (error) {
    await proxy.stop();
    await db.drop();
    throw error;
  }
}
