#!/usr/bin/env node
/**
 * `npm run emulator -- [--port 19443] [--data ./data] [--host 127.0.0.1] [--advertise host]` (`--port 0`: free ports): the Telegram emulator as a server —
 * DCs 1–3 speaking MTProto 2.0 over TCP on port, port+1, port+2, and its control port (JSON) on port+3.
 * With --data the world (auth keys and their sign-ins) is kept in <data>/emulator/world.json across restarts.
 * Point services at it with TELEGRAM_EMULATOR_URL=tcp://127.0.0.1:19443. Stops on SIGINT/SIGTERM.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_EMULATOR_PORT, runEmulatorServer } from './server/emulator-process';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(DEFAULT_EMULATOR_PORT) },
      data: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      // The address help.getConfig's dc_options give clients (a container's service name); default: --host.
      advertise: { type: 'string' },
      // Started by `npm start` with an IPC channel: stop when it closes (the service exited, however).
      'exit-with-parent': { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65532) throw new Error('--port must be 0–65532');
  const running = await runEmulatorServer({
    host: values.host,
    advertisedHost: values.advertise,
    port,
    dataDir: values.data === undefined ? undefined : resolve(values.data),
  });
  process.stdout.write(
    `Telegram emulator server (MTProto 2.0 over TCP) pid ${process.pid}\n` +
      `  DC 1–3: ${running.file.url} (+1, +2)   control: ${running.file.control_url}\n` +
      (values.data === undefined
        ? ''
        : `  world: ${running.restoredKeys} auth keys restored from ${values.data}\n`) +
      `  services: TELEGRAM_EMULATOR_URL=${running.file.url}\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void running.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (values['exit-with-parent']) {
    process.once('disconnect', stop);
    if (!process.connected) stop();
  }
}

main().catch((error: unknown) => {
  console.error(`Emulator server failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
