import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The four tables of SPEC §3. Differences from the seed's DDL, on purpose:
 * - `telegram_sessions.phone` is nullable: a QR login has no phone until Telegram accepts it.
 * - `telegram_bots.bot_token` is JSONB holding an encrypted envelope, not VARCHAR(100) plaintext.
 * - UUIDs come from PostgreSQL's built-in gen_random_uuid() (no extension needed since 13).
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS TRIGGER AS $$
      BEGIN
        NEW.updated_at = CURRENT_TIMESTAMP;
        RETURN NEW;
      END;
      $$ LANGUAGE plpgsql`);

    await q.query(`
      CREATE TABLE telegram_sessions (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        user_id INTEGER NOT NULL,
        phone VARCHAR(20),
        session_data JSONB NOT NULL,
        session_metadata JSONB NOT NULL DEFAULT '{}',
        is_active BOOLEAN NOT NULL DEFAULT TRUE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT pk_telegram_sessions PRIMARY KEY (id)
      )`);
    await q.query(`CREATE INDEX idx_telegram_sessions_user_id ON telegram_sessions (user_id)`);
    await q.query(`CREATE INDEX idx_telegram_sessions_phone ON telegram_sessions (phone)`);
    await q.query(
      `CREATE INDEX idx_telegram_sessions_metadata ON telegram_sessions USING GIN (session_metadata)`,
    );
    await q.query(
      `CREATE INDEX idx_telegram_sessions_active ON telegram_sessions (is_active) WHERE is_active`,
    );

    await q.query(`
      CREATE TABLE telegram_bots (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        user_id INTEGER NOT NULL,
        bot_token JSONB NOT NULL,
        username VARCHAR(50) NOT NULL,
        settings JSONB NOT NULL DEFAULT '{}',
        is_active BOOLEAN NOT NULL DEFAULT TRUE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT pk_telegram_bots PRIMARY KEY (id)
      )`);
    await q.query(
      `COMMENT ON COLUMN telegram_bots.bot_token IS 'encrypted envelope {cipher, key, key_version, ciphertext}; never plaintext'`,
    );
    await q.query(`CREATE INDEX idx_telegram_bots_user_id ON telegram_bots (user_id)`);

    await q.query(`
      CREATE TABLE telegram_channels (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        user_id INTEGER NOT NULL,
        channel_id BIGINT NOT NULL,
        title VARCHAR(255) NOT NULL,
        type VARCHAR(20) NOT NULL,
        settings JSONB NOT NULL DEFAULT '{}',
        members_count INTEGER DEFAULT 0,
        is_active BOOLEAN NOT NULL DEFAULT TRUE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT pk_telegram_channels PRIMARY KEY (id),
        CONSTRAINT chk_telegram_channels_type CHECK ("type" IN ('channel', 'group', 'supergroup'))
      )`);
    await q.query(`CREATE INDEX idx_telegram_channels_user_id ON telegram_channels (user_id)`);
    await q.query(`CREATE INDEX idx_telegram_channels_channel_id ON telegram_channels (channel_id)`);

    await q.query(`
      CREATE TABLE integration_logs (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        user_id INTEGER NOT NULL,
        integration_type VARCHAR(50) NOT NULL,
        action VARCHAR(50) NOT NULL,
        status VARCHAR(20) NOT NULL,
        details JSONB NOT NULL DEFAULT '{}',
        error_message TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT pk_integration_logs PRIMARY KEY (id),
        CONSTRAINT chk_integration_logs_status CHECK ("status" IN ('success', 'error', 'pending'))
      )`);
    await q.query(`CREATE INDEX idx_integration_logs_user_created ON integration_logs (user_id, created_at)`);

    for (const table of ['telegram_sessions', 'telegram_bots', 'telegram_channels', 'integration_logs']) {
      await q.query(
        `CREATE TRIGGER trg_${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['integration_logs', 'telegram_channels', 'telegram_bots', 'telegram_sessions']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS update_updated_at_column()`);
  }
}
