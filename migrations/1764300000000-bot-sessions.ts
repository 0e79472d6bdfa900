import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bots are added by token and logged in through MTProto (auth.importBotAuthorization), as SPEC §3
 * allows: `bot_token` stays the encrypted JSONB envelope of the initial schema (it replaced the
 * seed's VARCHAR(100) plaintext), and the bot's own StringSession — a credential as strong as the
 * token — gets an encrypted envelope of its own, `bot_session` (`{}` when wiped). What Telegram says
 * about the bot becomes columns: `telegram_bot_id` (the bot's user id), `first_name`,
 * `can_join_groups`, `can_read_all_group_messages`, `dc_id`; its state is `status` (CHECK over
 * active / revoked / removed) with `last_error`, `last_checked_at` and `revoked_at`.
 *
 * One active row per (user, bot): the partial unique index makes "the same bot added twice by one
 * user" a conflict while two users, or the same user after removing it, each get their own row.
 */
export class BotSessions1764300000000 implements MigrationInterface {
  name = 'BotSessions1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE telegram_bots
        ADD COLUMN bot_session JSONB NOT NULL DEFAULT '{}',
        ADD COLUMN telegram_bot_id BIGINT,
        ADD COLUMN first_name VARCHAR(255),
        ADD COLUMN can_join_groups BOOLEAN,
        ADD COLUMN can_read_all_group_messages BOOLEAN,
        ADD COLUMN dc_id INTEGER,
        ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'active',
        ADD COLUMN last_error VARCHAR(100),
        ADD COLUMN last_checked_at TIMESTAMPTZ,
        ADD COLUMN revoked_at TIMESTAMPTZ,
        ADD CONSTRAINT chk_telegram_bots_status CHECK ("status" IN ('active', 'revoked', 'removed'))`);
    await q.query(
      `COMMENT ON COLUMN telegram_bots.bot_session IS 'encrypted envelope of the bot''s MTProto session; never plaintext'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_telegram_bots_user_bot_active ON telegram_bots (user_id, telegram_bot_id) WHERE is_active`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS uq_telegram_bots_user_bot_active`);
    await q.query(`
      ALTER TABLE telegram_bots
        DROP CONSTRAINT IF EXISTS chk_telegram_bots_status,
        DROP COLUMN revoked_at,
        DROP COLUMN last_checked_at,
        DROP COLUMN last_error,
        DROP COLUMN status,
        DROP COLUMN dc_id,
        DROP COLUMN can_read_all_group_messages,
        DROP COLUMN can_join_groups,
        DROP COLUMN first_name,
        DROP COLUMN telegram_bot_id,
        DROP COLUMN bot_session`);
  }
}
