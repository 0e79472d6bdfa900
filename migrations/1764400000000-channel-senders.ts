import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Channels and groups synced from an account's dialogs (or added through a bot):
 * - `telegram_channels.channel_id` holds the Bot API form — `-100<id>` for channels and supergroups,
 *   `-<id>` for basic groups — so one number names a chat unambiguously; one row per (user, chat)
 *   (unique index); `username`, `access_hash` (needed to address a channel over MTProto; not a
 *   secret) and `last_synced_at` are new columns.
 * - `telegram_channel_senders`: which of the user's accounts (`sender_type = 'account'`, a
 *   telegram_sessions id) and bots (`'bot'`, a telegram_bots id) reach the chat, in what role
 *   (creator / admin / member) and whether each can post; one row per (chat row, sender). A chat
 *   with no active sender left is inactive.
 */
export class ChannelSenders1764400000000 implements MigrationInterface {
  name = 'ChannelSenders1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE telegram_channels
        ADD COLUMN username VARCHAR(64),
        ADD COLUMN access_hash BIGINT,
        ADD COLUMN last_synced_at TIMESTAMPTZ`);
    await q.query(
      `CREATE UNIQUE INDEX uq_telegram_channels_user_channel ON telegram_channels (user_id, channel_id)`,
    );
    await q.query(`
      CREATE TABLE telegram_channel_senders (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        user_id INTEGER NOT NULL,
        channel_row_id UUID NOT NULL,
        sender_type VARCHAR(10) NOT NULL,
        sender_id UUID NOT NULL,
        role VARCHAR(10) NOT NULL,
        can_post BOOLEAN NOT NULL DEFAULT FALSE,
        is_active BOOLEAN NOT NULL DEFAULT TRUE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT pk_telegram_channel_senders PRIMARY KEY (id),
        CONSTRAINT chk_telegram_channel_senders_type CHECK ("sender_type" IN ('account', 'bot')),
        CONSTRAINT chk_telegram_channel_senders_role CHECK ("role" IN ('creator', 'admin', 'member'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_telegram_channel_senders_sender ON telegram_channel_senders (channel_row_id, sender_type, sender_id)`,
    );
    await q.query(
      `CREATE INDEX idx_telegram_channel_senders_user_sender ON telegram_channel_senders (user_id, sender_type, sender_id)`,
    );
    await q.query(
      `CREATE TRIGGER trg_telegram_channel_senders_updated_at BEFORE UPDATE ON telegram_channel_senders FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS telegram_channel_senders`);
    await q.query(`DROP INDEX IF EXISTS uq_telegram_channels_user_channel`);
    await q.query(`
      ALTER TABLE telegram_channels
        DROP COLUMN last_synced_at,
        DROP COLUMN access_hash,
        DROP COLUMN username`);
  }
}
