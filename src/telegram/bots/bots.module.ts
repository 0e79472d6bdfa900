import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BotEmulatorControlController, BotEmulatorControlService } from './bot-emulator-control.controller';
import { BotSecrets } from './bot-secrets';
import { BotTransitions } from './bot-transitions';
import { BotsController } from './bots.controller';
import { BotsRepository } from './bots.repository';
import { BotsService } from './bots.service';
import { TelegramBotEntity } from './telegram-bot.entity';

/** Telegram bots added by token. Needs the global TelegramGatewayModule; the dev route only with the emulator. */
@Module({})
export class TelegramBotsModule {
  static forRoot(options: { emulator: boolean }): DynamicModule {
    return {
      module: TelegramBotsModule,
      imports: [TypeOrmModule.forFeature([TelegramBotEntity])],
      controllers: [BotsController, ...(options.emulator ? [BotEmulatorControlController] : [])],
      providers: [
        BotsRepository,
        BotsService,
        BotSecrets,
        BotTransitions,
        ...(options.emulator ? [BotEmulatorControlService] : []),
      ],
      exports: [BotsRepository, BotSecrets],
    };
  }
}
