import { DynamicModule, Module } from '@nestjs/common';
import { TelegramClient } from 'telegram';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TelegramCredentialsProvider } from '../credentials/telegram-credentials.provider';
import { createEmulatedClient, TelegramEmulator } from '../emulator';
import { GatewayCredentials } from './telegram-credentials';
import { TELEGRAM_CLIENT_SOURCE, TelegramGateway, type TelegramClientSource } from './telegram-gateway';

/** Injection token of the emulator world in use (`null` when talking to Telegram). */
export const TELEGRAM_EMULATOR = Symbol('TELEGRAM_EMULATOR');

export interface TelegramGatewayOptions {
  /**
   * The emulator world to use when TELEGRAM_EMULATOR is on; a new one when omitted. Passing one lets
   * two app instances (a restart in a test) share the same emulated Telegram.
   */
  emulator?: TelegramEmulator;
}

/** Chooses the client factory once, at start: the real TelegramClient, or the emulator's. */
@Module({})
export class TelegramGatewayModule {
  static forRoot(options: TelegramGatewayOptions = {}): DynamicModule {
    return {
      module: TelegramGatewayModule,
      global: true,
      providers: [
        {
          provide: TELEGRAM_EMULATOR,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): TelegramEmulator | null =>
            config.telegram.emulator ? (options.emulator ?? new TelegramEmulator()) : null,
        },
        {
          provide: TELEGRAM_CLIENT_SOURCE,
          inject: [TELEGRAM_EMULATOR],
          useFactory: (emulator: TelegramEmulator | null): TelegramClientSource =>
            emulator
              ? { mode: 'emulator', factory: createEmulatedClient(emulator) }
              : {
                  mode: 'telegram',
                  factory: (session, apiId, apiHash, params) =>
                    new TelegramClient(session, apiId, apiHash, params),
                },
        },
        TelegramCredentialsProvider,
        GatewayCredentials,
        TelegramGateway,
      ],
      exports: [TelegramGateway, TELEGRAM_EMULATOR],
    };
  }
}
