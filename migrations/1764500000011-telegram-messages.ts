import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The send queue's own tables (the queue's jobs live in pg-boss's schema `pgboss`, which pg-boss
 * installs and upgrades itself under its advisory lock at start):
 * - `telegram_messages`: one row per message to send, its sender (account or bot), its target
 *   chat (Bot API id form, and the resolved peer), its `random_id` (fixed here, reused by every
 *   attempt), status and timings; `lane` = sender + chat (order and pacing are kept per lane); the
 *   caller's Idempotency-Key and a hash of the request (unique per user while set).
 * - `telegram_message_files`: the media file of a message (bytea), kept until sent or cancelled.
 * - `telegram_message_senders`: a sender paused after PEER_FLOOD / FLOOD_WAIT, until when; and
 *   which process sends for it (`owner_id`, until `lease_until`): one GramJS client per session
 *   across replicas, since one auth key on two connections at once is AUTH_KEY_DUPLICATED.
 */
export class TelegramMessages1764500000011 implements MigrationInterface {
  name = 'TelegramMessages1764500000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE telegram_messages (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        user_id INTEGER NOT NULL,
        sender_type VARCHAR(10) NOT NULL,
        sender_id UUID NOT NULL,
        channel_row_id UUID,
        chat_id BIGINT NOT NULL,
        peer JSONB NOT NULL,
        lane VARCHAR(120) NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        parse_mode VARCHAR(10),
        options JSONB NOT NULL DEFAULT '{}',
        media JSONB,
        status VARCHAR(10) NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        random_id BIGINT NOT NULL,
        telegram_message_id BIGINT,
        error_code VARCHAR(64),
        error_message TEXT,
        send_at TIMESTAMPTZ,
        not_before TIMESTAMPTZ,
        attempted_at TIMESTAMPTZ,
        sent_at TIMESTAMPTZ,
        queued_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        job_id UUID,
        idempotency_key VARCHAR(255),
        request_hash VARCHAR(64),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT pk_telegram_messages PRIMARY KEY (id),
        CONSTRAINT chk_telegram_messages_sender_type CHECK ("sender_type" IN ('account', 'bot')),
        CONSTRAINT chk_telegram_messages_status CHECK ("status" IN ('queued', 'waiting', 'sending', 'sent', 'failed', 'cancelled'))
      )`);
    await q.query(
      `CREATE INDEX idx_telegram_messages_user_created ON telegram_messages (user_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX idx_telegram_messages_lane_open ON telegram_messages (lane, queued_at) WHERE status IN ('queued', 'waiting', 'sending')`,
    );
    await q.query(
      `CREATE INDEX idx_telegram_messages_sender_attempted ON telegram_messages (sender_id, attempted_at) WHERE attempted_at IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_telegram_messages_idempotency ON telegram_messages (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(
      `CREATE TRIGGER trg_telegram_messages_updated_at BEFORE UPDATE ON telegram_messages FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`,
    );
    await q.query(`
      CREATE TABLE telegram_message_files (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        message_id UUID NOT NULL,
        content BYTEA NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT pk_telegram_message_files PRIMARY KEY (id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_telegram_message_files_message ON telegram_message_files (message_id)`,
    );
    await q.query(
      `CREATE TRIGGER trg_telegram_message_files_updated_at BEFORE UPDATE ON telegram_message_files FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`,
    );
    await q.query(`
      CREATE TABLE telegram_message_senders (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        sender_id UUID NOT NULL,
        paused_until TIMESTAMPTZ,
        pause_reason VARCHAR(64),
        owner_id VARCHAR(64),
        lease_until TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT pk_telegram_message_senders PRIMARY KEY (id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_telegram_message_senders_sender ON telegram_message_senders (sender_id)`,
    );
    await q.query(
      `CREATE TRIGGER trg_telegram_message_senders_updated_at BEFORE UPDATE ON telegram_message_senders FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS telegram_message_senders`);
    await q.query(`DROP TABLE IF EXISTS telegram_message_files`);
    await q.query(`DROP TABLE IF EXISTS telegram_messages`);
  }
}
