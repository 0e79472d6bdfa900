import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `api_keys`: scoped keys a user makes for server-side callers. The key itself is never stored:
 * `key_hash` is the SHA-256 of the whole key (256 random bits, so a plain hash cannot be searched
 * back), `key_prefix` the first characters shown in lists so a user can tell keys apart. `account_ids`
 * and `bot_ids`, when set, limit the key to those accounts and bots. A revoked key keeps its row
 * (`revoked_at`) so the audit log can still name it.
 */
export class ApiKeys1764800000000 implements MigrationInterface {
  name = 'ApiKeys1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        user_id INTEGER NOT NULL,
        name VARCHAR(100) NOT NULL,
        scopes TEXT[] NOT NULL,
        key_hash CHAR(64) NOT NULL,
        key_prefix VARCHAR(16) NOT NULL,
        account_ids UUID[],
        bot_ids UUID[],
        expires_at TIMESTAMPTZ,
        last_used_at TIMESTAMPTZ,
        revoked_at TIMESTAMPTZ,
        CONSTRAINT pk_api_keys PRIMARY KEY (id)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_api_keys_key_hash ON api_keys (key_hash)`);
    await q.query(`CREATE INDEX idx_api_keys_user_id ON api_keys (user_id)`);
    await q.query(
      `CREATE TRIGGER trg_api_keys_updated_at BEFORE UPDATE ON api_keys FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS api_keys`);
  }
}
