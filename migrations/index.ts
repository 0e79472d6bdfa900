import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { AuditLogIndexes1764100000000 } from './1764100000000-audit-log-indexes';
import { SessionStateColumns1764200000000 } from './1764200000000-session-state-columns';
import { BotSessions1764300000000 } from './1764300000000-bot-sessions';
import { ChannelSenders1764400000000 } from './1764400000000-channel-senders';
import { TelegramMessages1764500000011 } from './1764500000011-telegram-messages';
import { IntegrationEvents1764500000012 } from './1764500000012-integration-events';
import { TelegramSessionLeases1764500000013 } from './1764500000013-telegram-session-leases';
import { WatchdogCheckFailures1764600000000 } from './1764600000000-watchdog-check-failures';
import { ApiKeys1764800000000 } from './1764800000000-api-keys';
import { ImportedSessions1764800000001 } from './1764800000001-imported-sessions';
import { LateCommitGuard1764800000002 } from './1764800000002-late-commit-guard';

/** Every migration, in order. Listed explicitly so the same list works from ts (tests) and js (dist). */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  AuditLogIndexes1764100000000,
  SessionStateColumns1764200000000,
  BotSessions1764300000000,
  ChannelSenders1764400000000,
  TelegramMessages1764500000011,
  IntegrationEvents1764500000012,
  TelegramSessionLeases1764500000013,
  WatchdogCheckFailures1764600000000,
  ApiKeys1764800000000,
  ImportedSessions1764800000001,
  LateCommitGuard1764800000002,
];
