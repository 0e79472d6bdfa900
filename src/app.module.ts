import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { ChangesModule } from './changes/changes.module';
import { AuthModule } from './common/auth/auth.module';
import { JwtAuthGuard } from './common/auth/jwt-auth.guard';
import { GlobalExceptionFilter } from './common/errors/global-exception.filter';
import { createRootLogger, loggerParams } from './common/logging/logger.options';
import { AppThrottlerGuard } from './common/throttling/throttler.guard';
import { ThrottlingModule } from './common/throttling/throttling.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DevConsoleModule } from './console/dev/dev-console.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { LogsModule } from './logs/logs.module';
import { MetricsModule } from './health/metrics.module';
import { TelegramAccountsModule } from './telegram/accounts/accounts.module';
import { TelegramBotsModule } from './telegram/bots/bots.module';
import { TelegramChannelsModule } from './telegram/channels/channels.module';
import { TelegramMessagesModule } from './telegram/messages/messages.module';
import { TelegramGatewayModule } from './telegram/gateway/telegram-gateway.module';
import { TelegramWatchdogModule } from './telegram/watchdog/watchdog.module';
import type { TelegramEmulatorModuleOptions } from './telegram-emulator-wiring/telegram-emulator.module';
import { TlsModule } from './tls/tls.module';
import { VaultModule } from './vault/vault.module';

/** The app's root pino logger (request logging hooks write through it). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export interface AppModuleOptions {
  config: AppConfig;
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
  /** Extra modules mounted beside the features (tests use this to add a route that throws). */
  extraImports?: (Type | DynamicModule)[];
  /** The emulated Telegram world when TELEGRAM_EMULATOR is on (tests share one across app instances). */
  telegramEmulator?: TelegramEmulatorModuleOptions['world'];
  /** That world served over TCP by an emulator server in this process: clients are real GramJS TelegramClients. */
  telegramEmulatorServer?: TelegramEmulatorModuleOptions['server'];
}

/**
 * The emulator's wiring, imported only when TELEGRAM_EMULATOR is on: the emulator package is a
 * devDependency, absent from production installs, and nothing production loads imports it statically.
 */
async function telegramEmulatorModule(options: TelegramEmulatorModuleOptions): Promise<DynamicModule> {
  const { TelegramEmulatorModule } = await import('./telegram-emulator-wiring/telegram-emulator.module.js');
  return TelegramEmulatorModule.forRoot(options);
}

@Module({})
export class AppModule {
  static forRoot({
    config,
    logStream,
    extraImports = [],
    telegramEmulator,
    telegramEmulatorServer,
  }: AppModuleOptions): DynamicModule {
    const rootLogger = createRootLogger(config, logStream);
    // The emulator is a module of its own: mounted here or not at all.
    const emulator = config.telegram.emulator
      ? telegramEmulatorModule({
          world: telegramEmulator,
          server: telegramEmulatorServer,
          app: config.telegram.emulatorApp,
          remote:
            config.telegram.emulatorUrl && config.telegram.emulatorControlUrl
              ? { url: config.telegram.emulatorUrl, controlUrl: config.telegram.emulatorControlUrl }
              : undefined,
        })
      : undefined;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(rootLogger)),
        MetricsModule.forRoot({ exposeEndpoint: config.prometheusEnabled }),
        TlsModule,
        DatabaseModule.forRoot(config),
        ThrottlingModule.forRoot(config, rootLogger),
        ScheduleModule.forRoot(),
        AuthModule,
        HealthModule,
        VaultModule,
        LogsModule,
        EventsModule,
        ChangesModule,
        ApiKeysModule,
        TelegramGatewayModule.forRoot({ backend: emulator }),
        TelegramAccountsModule,
        TelegramBotsModule,
        TelegramChannelsModule,
        TelegramWatchdogModule,
        TelegramMessagesModule,
        ...(emulator ? [emulator] : []),
        // GET /api/v1/dev/token and /api/v1/dev/console: never in production.
        ...(DevConsoleModule.enabledFor(config) ? [DevConsoleModule] : []),
        ...extraImports,
      ],
      providers: [
        { provide: ROOT_LOGGER, useValue: rootLogger },
        // Order matters: authentication first, so rate limits can key on the user.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        // RATE_LIMIT_ENABLED=false: no throttler guard at all, rather than one that skips every request.
        ...(config.rateLimit.enabled ? [{ provide: APP_GUARD, useClass: AppThrottlerGuard }] : []),
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
      ],
    };
  }
}
