import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ensureJwtKeys } from './common/auth/jwt-keys';
import { closeGracefully, KEEP_ALIVE_TURNOVER_MS } from './common/http/graceful-close';
import { JwtVerifier } from './common/auth/jwt-verifier';
import { AppConfig, ConfigValidationError, loadConfig, loadDotEnv } from './config/app-config';
import { createApp, markClosing } from './create-app';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { HealthService } from './health/health.service';
import { BackgroundFaults } from './metrics/background-faults';
import { TelegramGateway } from './telegram/gateway/telegram-gateway';
import type { EmulatorServerHandle } from './telegram-emulator-wiring/npm-start-emulator';

function readConfig(): AppConfig {
  try {
    loadDotEnv();
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  let config = ensureJwtKeys(readConfig());
  let embedded: EmbeddedDatabase | undefined;
  if (!config.database.url) {
    try {
      embedded = await startEmbeddedPostgres(join(config.dataDir, 'postgres'), undefined, undefined, {
        port: config.database.embeddedPort,
        ownSignals: true, // stopped last by the shutdown below
      });
    } catch (error) {
      console.error(
        `Embedded PostgreSQL failed to start: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(1);
    }
    config = { ...config, database: { ...config.database, url: embedded.url } };
  }

  let emulatorLine: string | undefined;
  let emulator: EmulatorServerHandle | undefined;
  // What this process started stops with it, in reverse order: the emulator server, then the database.
  const stopStarted = async () => {
    await emulator?.stop();
    await embedded?.stop();
  };
  const { telegram } = config;
  if (telegram.emulator && !telegram.emulatorUrl && !telegram.emulatorInProcess) {
    try {
      // Loaded only now: the emulator package is a devDependency, never installed in production.
      const { ensureEmulatorServer } = await import('./telegram-emulator-wiring/npm-start-emulator.js');
      emulator = await ensureEmulatorServer(config.dataDir, telegram.emulatorPort);
      config = {
        ...config,
        telegram: { ...telegram, emulatorUrl: emulator.url, emulatorControlUrl: emulator.control_url },
      };
      emulatorLine = emulator.reused
        ? `Telegram emulator server ${emulator.url} (pid ${emulator.pid}, reused: another process's, left running)`
        : `Telegram emulator server ${emulator.url} (pid ${emulator.pid}, started; its world kept in ${join(config.dataDir, 'emulator')}, stops with the service)`;
    } catch (error) {
      console.error(
        `Telegram emulator server failed to start: ${error instanceof Error ? error.message : String(error)}`,
      );
      await stopStarted();
      process.exit(1);
    }
  }

  let app: NestFastifyApplication;
  try {
    app = await createApp(config);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    await stopStarted();
    process.exit(1);
  }

  // The last guard: background workers catch their own faults; a rejection or exception none handled
  // is logged and counted (background_faults_total{worker="unhandled_rejection" | "uncaught_exception"})
  // instead of ending the process with every send in flight.
  const faults = app.get(BackgroundFaults);
  process.on('unhandledRejection', (reason) => faults.unhandled(reason));
  process.on('uncaughtException', (error) => faults.unhandled(error, 'uncaught_exception'));

  const address = `http://${config.host}:${config.port}`;
  const banner = [
    `${config.appName} ${config.version} on Node.js ${process.versions.node}, listening on ${address} (docs: ${address}/docs)`,
  ];
  if (embedded) banner.push(`Database: embedded PostgreSQL under ${join(config.dataDir, 'postgres')}`);
  if (emulatorLine) banner.push(emulatorLine);
  if (config.jwt.generated) {
    // Lives JWT_MAX_LIFETIME_SECONDS (24 h by default), the longest the service accepts.
    const token = new JwtVerifier(config.jwt).sign(1);
    const hours = Math.round(config.jwt.maxLifetimeSeconds / 360) / 10;
    banner.push(
      `Development JWT for user 1, valid ${hours} h (other users: npm run token -- --user 42):`,
      `  Bearer ${token}`,
    );
  }
  process.stdout.write(`\n${banner.join('\n')}\n\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(
      () => {
        console.error(`Shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      },
      config.shutdownDrainMs + KEEP_ALIVE_TURNOVER_MS + config.shutdownTimeoutMs + 5000,
    );
    force.unref();
    // Readiness turns 503 first; requests are still served while the load balancer notices.
    app.get(HealthService).startDraining();
    // Sessions are handed over at once: parked clients close and release their leases (the ones in use
    // follow when their request ends), so another replica can take them during the drain.
    const handedOver = app.get(TelegramGateway).handOver();
    if (config.shutdownDrainMs > 0) {
      process.stdout.write(
        `${signal} received: readiness now 503, draining for ${config.shutdownDrainMs} ms\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
    }
    await handedOver;
    process.stdout.write(`${signal} received: finishing in-flight requests\n`);
    await closeGracefully(app, { markClosing: () => markClosing(app), timeoutMs: config.shutdownTimeoutMs });
    await stopStarted();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void shutdown('SIGHUP')); // the terminal closed
}

void main();
