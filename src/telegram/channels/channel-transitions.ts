import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ChangeCommit } from '../../changes/change-commit';
import { failureEntry } from '../../logs/failure-entry';
import type { EventDraft } from '../../events/outbox/outbox.service';
import { AuditLogService, type AuditEntry } from '../../logs/audit-log.service';
import type { TelegramChatInfo } from '../gateway/telegram-dialogs';
import { ChannelsRepository, type SyncCounts } from './channels.repository';
import type { TelegramChannelEntity } from './telegram-channel.entity';

export type ChannelAction = 'channels_sync' | 'channel_add' | 'channel_update' | 'channel_remove';

/**
 * The one place chats change: each change commits through ChangeCommit together with its
 * integration_logs row (and its event, where it has one).
 */
@Injectable()
export class ChannelTransitions {
  constructor(
    private readonly commit: ChangeCommit,
    private readonly channels: ChannelsRepository,
    private readonly audit: AuditLogService,
  ) {}

  synced(
    userId: number,
    sessionId: string,
    chats: TelegramChatInfo[],
    facts: { calls: number; duration_ms: number },
  ): Promise<SyncCounts> {
    return this.apply(
      (tx) => this.channels.applySync(tx, userId, sessionId, chats),
      (counts) => ({
        userId,
        action: 'channels_sync',
        status: 'success',
        details: {
          session_id: sessionId,
          ...counts,
          telegram_calls: facts.calls,
          duration_ms: facts.duration_ms,
        },
      }),
      (counts) => ({
        type: 'telegram.channels.synced',
        subject: `sessions/${sessionId}/channels`,
        userId,
        data: { session_id: sessionId, ...counts },
      }),
    );
  }

  /** A chat found through a bot, stored with the bot as its sender. */
  async botChatAdded(
    userId: number,
    botRowId: string,
    chat: TelegramChatInfo,
  ): Promise<TelegramChannelEntity> {
    const { row } = await this.apply(
      (tx) => this.channels.upsertBotChat(tx, userId, botRowId, chat),
      ({ row, inserted }) =>
        this.entry(userId, 'channel_add', row, {
          bot_id: botRowId,
          role: chat.role,
          can_post: chat.canPost,
          inserted,
        }),
    );
    return row;
  }

  settingsUpdated(userId: number, id: string, settings: Record<string, unknown>) {
    return this.apply(
      (tx) => this.channels.updateSettings(tx, userId, id, settings),
      (row) => this.entry(userId, 'channel_update', row, { settings_keys: Object.keys(settings).length }),
    );
  }

  removed(userId: number, id: string) {
    return this.apply(
      (tx) => this.channels.deactivate(tx, userId, id),
      (row) => this.entry(userId, 'channel_remove', row),
    );
  }

  /** A step that failed without changing anything: its audit row only (never throws). */
  failed(
    userId: number,
    action: ChannelAction,
    error: unknown,
    facts: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(failureEntry(userId, action, error, facts));
  }

  private entry(
    userId: number,
    action: ChannelAction,
    row: TelegramChannelEntity,
    extra: Record<string, unknown> = {},
  ): AuditEntry {
    return {
      userId,
      action,
      status: 'success',
      details: { channel_row_id: row.id, channel_id: row.channelId, type: row.type, ...extra },
    };
  }

  private async apply<T>(
    change: (tx: EntityManager) => Promise<T>,
    record: (result: T) => AuditEntry,
    event?: (result: T) => EventDraft,
  ): Promise<T> {
    const { result } = await this.commit.apply({ change: 'channel' }, async (tx) => {
      const changed = await change(tx);
      return { result: changed, audit: [record(changed)], events: event ? [event(changed)] : [] };
    });
    return result;
  }
}
