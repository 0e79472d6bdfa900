import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TelegramAccountsModule } from '../accounts/accounts.module';
import { TelegramBotsModule } from '../bots/bots.module';
import { ChannelSenderEntity } from './channel-sender.entity';
import { ChannelTransitions } from './channel-transitions';
import { ChannelsController } from './channels.controller';
import { ChannelsRepository } from './channels.repository';
import { ChannelsService } from './channels.service';
import { TelegramChannelEntity } from './telegram-channel.entity';

/**
 * Telegram channels and groups; reads an account's dialogs through the accounts module's repository
 * and session secrets. Needs the global TelegramGatewayModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TelegramChannelEntity, ChannelSenderEntity]),
    TelegramAccountsModule,
    TelegramBotsModule,
  ],
  controllers: [ChannelsController],
  providers: [ChannelsRepository, ChannelsService, ChannelTransitions],
  exports: [ChannelsRepository],
})
export class TelegramChannelsModule {}
