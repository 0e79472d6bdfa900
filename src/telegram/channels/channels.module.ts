import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TelegramAccountsModule } from '../accounts/accounts.module';
import { TelegramBotsModule } from '../bots/bots.module';
import { SenderDirectory } from '../senders/sender-directory';
import { ChannelSenderEntity } from './channel-sender.entity';
import { ChannelTransitions } from './channel-transitions';
import { ChannelsController } from './channels.controller';
import { ChannelsRepository } from './channels.repository';
import { ChannelsService } from './channels.service';
import { TelegramChannelEntity } from './telegram-channel.entity';

/**
 * Telegram channels and groups; reads an account's dialogs, or looks a chat up as a bot, through the
 * senders the accounts and bots modules provide (SenderDirectory). Needs the global TelegramGatewayModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TelegramChannelEntity, ChannelSenderEntity]),
    TelegramAccountsModule,
    TelegramBotsModule,
  ],
  controllers: [ChannelsController],
  providers: [ChannelsRepository, ChannelsService, ChannelTransitions, SenderDirectory],
  exports: [ChannelsRepository],
})
export class TelegramChannelsModule {}
