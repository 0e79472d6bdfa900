import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
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
  providers: [BotsRepository, BotsService, BotSecrets, BotTransitions],
  exports: [BotsRepository, BotSecrets, BotsService, BotTransitions],
})
export class TelegramBotsModule {}
