import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `telegram_session_leases`: which replica may hold a GramJS client for a Telegram session or bot
 * (key = the telegram_sessions / telegram_bots row id). A lease is held by `owner` until
 * `expires_at` (PostgreSQL's clock, so replicas' clocks never matter), renewed while in use,
 * released by setting `owner` to NULL. `token` is the fencing token: it grows on every new
 * acquisition (never on renewal) and starts from the epoch milliseconds, so it keeps growing even
 * if a row is removed and created again. A state write made under a lease checks, in its own
 * transaction and under FOR SHARE, that the token is still the one it acquired. `wanted_at`: a
 * replica waiting for the session asks the owner to hand a parked client over. `checked_at`: when
 * a replica's session watchdog last checked it, so N replicas check each session once per interval.
 */
export class TelegramSessionLeases1764500000013 implements MigrationInterface {
  name = 'TelegramSessionLeases1764500000013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE telegram_session_leases (
        key VARCHAR(100) NOT NULL,
        owner VARCHAR(200),
        token BIGINT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        wanted_at TIMESTAMPTZ,
        checked_at TIMESTAMPTZ,
        CONSTRAINT pk_telegram_session_leases PRIMARY KEY (key)
      )`);
    await q.query(`CREATE INDEX idx_telegram_session_leases_owner ON telegram_session_leases (owner)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS telegram_session_leases`);
  }
}
