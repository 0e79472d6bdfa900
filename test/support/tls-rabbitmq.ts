import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort, waitFor } from './free-port';

/** The broker's own start script (Debian's /usr/sbin wrapper would switch to the rabbitmq user). */
export const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

export interface TlsRabbitMq {
  /** amqps://guest:guest@127.0.0.1:<port> */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A second RabbitMQ node of the test's own, with only a TLS listener on a spare port: its own node
 * name, Erlang cookie (HOME), database, logs, config and ports, no plugins — the machine's broker on
 * 5672 is never touched. `verify_peer` + `fail_if_no_peer_cert`: a client certificate signed by
 * `ca` is required.
 */
export async function startTlsRabbitMq(options: {
  cert: string;
  key: string;
  ca: string;
}): Promise<TlsRabbitMq> {
  const [port, distPort, nodePort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'tls-rabbitmq-'));
  const path = (name: string) => join(dir, name);
  for (const sub of ['home', 'mnesia', 'log']) mkdirSync(path(sub));
  writeFileSync(
    path('rabbitmq.conf'),
    [
      'listeners.tcp = none',
      `listeners.ssl.1 = 127.0.0.1:${port}`,
      `ssl_options.cacertfile = ${options.ca}`,
      `ssl_options.certfile = ${options.cert}`,
      `ssl_options.keyfile = ${options.key}`,
      'ssl_options.verify = verify_peer',
      'ssl_options.fail_if_no_peer_cert = true',
      '',
    ].join('\n'),
  );
  writeFileSync(path('enabled_plugins'), '[].\n');
  writeFileSync(path('rabbitmq-env.conf'), '');
  const child = spawn(RABBITMQ_SERVER, [], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: path('home'),
      RABBITMQ_CONF_ENV_FILE: path('rabbitmq-env.conf'),
      RABBITMQ_NODENAME: `tls-test-${process.pid}-${port}@localhost`,
      RABBITMQ_NODE_PORT: String(nodePort),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: path('mnesia'),
      RABBITMQ_LOG_BASE: path('log'),
      RABBITMQ_CONFIG_FILE: path('rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path('enabled_plugins'),
      ERL_EPMD_ADDRESS: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready: { failed?: string } = {};
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          ready.failed ??= `the node exited: ${output.slice(-800)}`;
        }
        if (ready.failed) return; // stop waiting; reported below
        if (!/Starting broker\.\.\. completed/.test(output)) throw new Error('still starting');
        await new Promise<void>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port }, () => {
            socket.destroy();
            resolve();
          });
          socket.on('error', reject);
        });
      },
      60_000,
      'RabbitMQ TLS node',
    );
    if (ready.failed) throw new Error(ready.failed);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `amqps://guest:guest@127.0.0.1:${port}`, port, stop };
}

/** Why a RabbitMQ node cannot be started here, or undefined when it can. */
export function rabbitMqUnavailableReason(): string | undefined {
  return existsSync(RABBITMQ_SERVER)
    ? undefined
    : `${RABBITMQ_SERVER} is not installed (Debian package rabbitmq-server)`;
}
