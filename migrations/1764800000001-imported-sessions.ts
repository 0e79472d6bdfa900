import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `telegram_sessions.login_method` may say `import`: a session made elsewhere (Telethon, Pyrogram,
 * GramJS, Telegram Desktop), proved with users.getFullUser(self) and sealed like any other.
 */
export class ImportedSessions1764800000001 implements MigrationInterface {
  name = 'ImportedSessions1764800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE telegram_sessions DROP CONSTRAINT chk_telegram_sessions_login_method`);
    await q.query(
      `ALTER TABLE telegram_sessions ADD CONSTRAINT chk_telegram_sessions_login_method CHECK ("login_method" IN ('phone_code', 'qr', 'import'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM telegram_sessions WHERE login_method = 'import'`);
    await q.query(`ALTER TABLE telegram_sessions DROP CONSTRAINT chk_telegram_sessions_login_method`);
    await q.query(
      `ALTER TABLE telegram_sessions ADD CONSTRAINT chk_telegram_sessions_login_method CHECK ("login_method" IN ('phone_code', 'qr'))`,
    );
  }
}
