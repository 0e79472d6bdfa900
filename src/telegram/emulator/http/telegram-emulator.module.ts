import { DynamicModule, Module } from '@nestjs/common';
import { TelegramAccountsModule } from '../../accounts/accounts.module';
import { TelegramBotsModule } from '../../bots/bots.module';
import { GatewayCredentials } from '../../gateway/telegram-credentials';
import { TELEGRAM_CLIENT_SOURCE, type TelegramClientSource } from '../../gateway/telegram-gateway';
import { createEmulatedClient } from '../emulated-client';
import { TelegramEmulator } from '../emulator';
import { BotEmulatorControlController, BotEmulatorControlService } from './bot-control.controller';
import { ChatEmulatorControlController, ChatEmulatorControlService } from './chat-control.controller';
import { EmulatorControlController } from './emulator-control.controller';
import {
  MessageEmulatorControlController,
  MessageEmulatorControlService,
} from './message-control.controller';
import { EmulatorControlService } from './emulator-control.service';
import { EmulatorGatewayCredentials } from './emulator-credentials';
import { TELEGRAM_EMULATOR } from './emulator.tokens';

export interface TelegramEmulatorModuleOptions {
  /**
   * The emulated world to use; a new one when omitted. Passing one lets two app instances (a
   * restart in a test) share the same emulated Telegram.
   */
  world?: TelegramEmulator;
}

/**
 * The in-process Telegram emulator, mounted by AppModule only with TELEGRAM_EMULATOR on (never in
 * production). Handed to `TelegramGatewayModule.forRoot({ backend })`, it replaces the gateway's
 * client factory and its API credentials; it also adds the development control routes
 * (`/api/v1/dev/telegram-emulator/*`: sessions, QR scans, bots, chats).
 */
@Module({})
export class TelegramEmulatorModule {
  static forRoot(options: TelegramEmulatorModuleOptions = {}): DynamicModule {
    return {
      module: TelegramEmulatorModule,
      imports: [TelegramAccountsModule, TelegramBotsModule],
      controllers: [
        EmulatorControlController,
        BotEmulatorControlController,
        ChatEmulatorControlController,
        MessageEmulatorControlController,
      ],
      providers: [
        { provide: TELEGRAM_EMULATOR, useFactory: () => options.world ?? new TelegramEmulator() },
        {
          provide: TELEGRAM_CLIENT_SOURCE,
          inject: [TELEGRAM_EMULATOR],
          useFactory: (world: TelegramEmulator): TelegramClientSource => ({
            mode: 'emulator',
            description: 'Telegram emulator (in process)',
            startupWarning:
              'Telegram emulator is on (TELEGRAM_EMULATOR): logins reach an in-process fake of Telegram, not Telegram',
            factory: createEmulatedClient(world),
          }),
        },
        { provide: GatewayCredentials, useClass: EmulatorGatewayCredentials },
        EmulatorControlService,
        BotEmulatorControlService,
        ChatEmulatorControlService,
        MessageEmulatorControlService,
      ],
      exports: [TELEGRAM_CLIENT_SOURCE, GatewayCredentials, TELEGRAM_EMULATOR],
    };
  }
}
