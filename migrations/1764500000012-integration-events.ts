import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox `integration_events`: one row per event (CloudEvents id = `id`), written
 * in the transaction of the state change it describes. `seq` orders them (relay order per subject,
 * resume position); the relay sets `published_at` once RabbitMQ confirmed the row (or it was
 * delivered in-process without a broker). Indexes: the unpublished backlog by seq (partial), a
 * user's events by seq (resume), published rows by published_at (retention sweep, partial).
 */
export class IntegrationEvents1764500000012 implements MigrationInterface {
  name = 'IntegrationEvents1764500000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integration_events (
        id UUID NOT NULL DEFAULT gen_random_uuid(),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        seq BIGSERIAL NOT NULL,
        user_id INTEGER NOT NULL,
        type VARCHAR(100) NOT NULL,
        subject VARCHAR(200) NOT NULL,
        data JSONB NOT NULL DEFAULT '{}',
        published_at TIMESTAMPTZ,
        CONSTRAINT "UQ_d5057f109d39b816ee9f1a0813d" UNIQUE (seq),
        CONSTRAINT pk_integration_events PRIMARY KEY (id)
      )`);
    await q.query(
      `CREATE INDEX idx_integration_events_unpublished ON integration_events (seq) WHERE published_at IS NULL`,
    );
    await q.query(`CREATE INDEX idx_integration_events_user_seq ON integration_events (user_id, seq)`);
    await q.query(
      `CREATE INDEX idx_integration_events_published_at ON integration_events (published_at) WHERE published_at IS NOT NULL`,
    );
    await q.query(
      `CREATE TRIGGER trg_integration_events_updated_at BEFORE UPDATE ON integration_events FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE integration_events`);
  }
}
