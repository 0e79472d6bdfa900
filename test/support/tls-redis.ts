import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { freePort, waitFor } from './free-port';

export interface TlsRedis {
  /** rediss://127.0.0.1:<tls port> */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A Redis of the test's own, TLS only (`--port 0 --tls-port <free>`), never the machine's 6379:
 * `authClients` `yes` requires a client certificate signed by `ca`, `no` asks for none.
 */
export async function startTlsRedis(options: {
  cert: string;
  key: string;
  ca: string;
  authClients: 'yes' | 'no' | 'optional';
}): Promise<TlsRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tls-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--bind',
      '127.0.0.1',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      options.cert,
      '--tls-key-file',
      options.key,
      '--tls-ca-cert-file',
      options.ca,
      '--tls-auth-clients',
      options.authClients,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Ready once it completes a TLS handshake (as a trusted client when it wants one).
    await waitFor(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect({
            host: '127.0.0.1',
            port,
            ca: readFileSync(options.ca),
            rejectUnauthorized: false,
          });
          socket.once('secureConnect', () => {
            socket.destroy();
            resolve();
          });
          socket.on('error', reject);
        }),
      10_000,
      'TLS Redis',
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `rediss://127.0.0.1:${port}`, port, stop };
}
