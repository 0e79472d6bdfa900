import { OutboxEventEntity } from '../events/outbox/outbox-event.entity';
import { IntegrationLogEntity } from '../logs/integration-log.entity';
import { TelegramSessionEntity } from '../telegram/accounts/telegram-session.entity';
import { TelegramBotEntity } from '../telegram/bots/telegram-bot.entity';
import { ChannelSenderEntity } from '../telegram/channels/channel-sender.entity';
import { TelegramChannelEntity } from '../telegram/channels/telegram-channel.entity';
import { SessionLeaseEntity } from '../telegram/leases/session-lease.entity';

export const ENTITIES = [
  TelegramSessionEntity,
  TelegramBotEntity,
  TelegramChannelEntity,
  ChannelSenderEntity,
  IntegrationLogEntity,
  SessionLeaseEntity,
  OutboxEventEntity,
];
