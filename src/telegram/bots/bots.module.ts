import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BOT_SENDERS } from '../senders/sender-directory';
import { BotSenders } from './bot-senders';
import { BotSecrets } from './bot-secrets';
import { BotTransitions } from './bot-transitions';
import { BotsController } from './bots.controller';
import { BotsRepository } from './bots.repository';
import { BotsService } from './bots.service';
import { TelegramBotEntity } from './telegram-bot.entity';

/** Telegram bots added by token. Needs the global TelegramGatewayModule. */
@Module({
  imports: [TypeOrmModule.forFeature([TelegramBotEntity])],
  controllers: [BotsController],
  providers: [
    BotsRepository,
    BotsService,
    BotSecrets,
    BotTransitions,
    { provide: BOT_SENDERS, useClass: BotSenders },
  ],
  exports: [BotsRepository, BotSecrets, BotsService, BotTransitions, BOT_SENDERS],
})
export class TelegramBotsModule {}
