import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelSenderEntity } from './channel-sender.entity';
import { ChannelTransitions } from './channel-transitions';
import { ChannelsController } from './channels.controller';
import { ChannelsRepository } from './channels.repository';
import { ChannelsService } from './channels.service';
import {
  ChatEmulatorControlController,
  ChatEmulatorControlService,
} from './chat-emulator-control.controller';
import { TelegramChannelEntity } from './telegram-channel.entity';

/**
 * Telegram channels and groups. `accounts` is the app's one TelegramAccountsModule (its repository
 * and session secrets are used to read an account's dialogs); the dev routes only with the emulator.
 */
@Module({})
export class TelegramChannelsModule {
  static forRoot(options: { emulator: boolean; accounts: DynamicModule }): DynamicModule {
    return {
      module: TelegramChannelsModule,
      imports: [TypeOrmModule.forFeature([TelegramChannelEntity, ChannelSenderEntity]), options.accounts],
      controllers: [ChannelsController, ...(options.emulator ? [ChatEmulatorControlController] : [])],
      providers: [
        ChannelsRepository,
        ChannelsService,
        ChannelTransitions,
        ...(options.emulator ? [ChatEmulatorControlService] : []),
      ],
    };
  }
}
