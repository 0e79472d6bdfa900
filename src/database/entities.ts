import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { OutboxEventEntity } from '../events/outbox/outbox-event.entity';
import { IntegrationLogEntity } from '../logs/integration-log.entity';
import { TelegramSessionEntity } from '../telegram/accounts/telegram-session.entity';
import { TelegramBotEntity } from '../telegram/bots/telegram-bot.entity';
import { ChannelSenderEntity } from '../telegram/channels/channel-sender.entity';
import { TelegramChannelEntity } from '../telegram/channels/telegram-channel.entity';
import { SessionLeaseEntity } from '../telegram/leases/session-lease.entity';
import { TelegramMessageFileEntity } from '../telegram/messages/telegram-message-file.entity';
import { TelegramMessageSenderEntity } from '../telegram/messages/telegram-message-sender.entity';
import { TelegramMessageEntity } from '../telegram/messages/telegram-message.entity';

export const ENTITIES = [
  TelegramSessionEntity,
  TelegramBotEntity,
  TelegramChannelEntity,
  ChannelSenderEntity,
  TelegramMessageEntity,
  TelegramMessageFileEntity,
  TelegramMessageSenderEntity,
  IntegrationLogEntity,
  SessionLeaseEntity,
  OutboxEventEntity,
  ApiKeyEntity,
];
