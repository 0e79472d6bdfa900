import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TelegramAccountsModule } from '../accounts/accounts.module';
import { TelegramBotsModule } from '../bots/bots.module';
import { TelegramChannelsModule } from '../channels/channels.module';
import { SenderDirectory } from '../senders/sender-directory';
import { MessageMetrics } from './message-metrics';
import { MessageTargets } from './message-target';
import { MessageTransitions } from './message-transitions';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';
import { SendPacing } from './send-pacing';
import { SendQueue } from './send-queue';
import { SendWorker } from './send-worker';
import { TelegramMessageFileEntity } from './telegram-message-file.entity';
import { TelegramMessageSenderEntity } from './telegram-message-sender.entity';
import { TelegramMessageEntity } from './telegram-message.entity';

/**
 * Sending messages: POST /telegram/send queues, a pg-boss queue in PostgreSQL delivers (every
 * replica works it), GET/DELETE /telegram/messages follow and cancel. Needs the global TelegramGatewayModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TelegramMessageEntity, TelegramMessageFileEntity, TelegramMessageSenderEntity]),
    TelegramAccountsModule,
    TelegramBotsModule,
    TelegramChannelsModule,
  ],
  controllers: [MessagesController],
  providers: [
    MessagesRepository,
    MessagesService,
    MessageTargets,
    MessageTransitions,
    MessageMetrics,
    SendPacing,
    SendQueue,
    SendWorker,
    SenderDirectory,
  ],
})
export class TelegramMessagesModule {}
