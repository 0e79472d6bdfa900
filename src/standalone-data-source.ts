import type { DataSourceOptions } from 'typeorm';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { dataSourceOptions, type DatabaseConnectionSettings } from './database/data-source.options';
import { OutboxEventEntity } from './events/outbox/outbox-event.entity';
import { IntegrationLogEntity } from './logs/integration-log.entity';
import { TelegramSessionEntity } from './telegram/accounts/telegram-session.entity';
import { TelegramBotEntity } from './telegram/bots/telegram-bot.entity';
import { ChannelSenderEntity } from './telegram/channels/channel-sender.entity';
import { TelegramChannelEntity } from './telegram/channels/telegram-channel.entity';
import { SessionLeaseEntity } from './telegram/leases/session-lease.entity';
import { TelegramMessageFileEntity } from './telegram/messages/telegram-message-file.entity';
import { TelegramMessageSenderEntity } from './telegram/messages/telegram-message-sender.entity';
import { TelegramMessageEntity } from './telegram/messages/telegram-message.entity';

/**
 * Every entity of the schema. The app does not use this list: each feature module registers its own
 * entities (TypeOrmModule.forFeature) and the root collects them (autoLoadEntities). A DataSource
 * outside the app — the migration CLI, tests, benchmarks — has no modules, so it names them here;
 * test/migrations.e2e-spec.ts proves this list is the app's and that the migrations build it.
 */
export const ALL_ENTITIES = [
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

/** The app's TypeORM options with every entity, for a DataSource built outside the app. */
export function standaloneDataSourceOptions(settings: DatabaseConnectionSettings): DataSourceOptions {
  return { ...dataSourceOptions(settings), entities: ALL_ENTITIES };
}
