import { Column, Entity, Generated, Index } from 'typeorm';
import { BaseEntity } from '../../database/base.entity';

/**
 * The transactional outbox: one row per event, inserted in the transaction of the state change it
 * describes. `id` is the CloudEvents id; `seq` orders the rows (relay order, resume position);
 * `published_at` is set once the broker confirmed the row (or, without a broker, once delivered
 * in-process). Published rows are removed after EVENTS_RETENTION_HOURS.
 */
@Entity('integration_events')
@Index('idx_integration_events_unpublished', ['seq'], { where: '"published_at" IS NULL' })
@Index('idx_integration_events_user_seq', ['userId', 'seq'])
@Index('idx_integration_events_published_at', ['publishedAt'], { where: '"published_at" IS NOT NULL' })
export class OutboxEventEntity extends BaseEntity {
  @Column({ type: 'bigint', unique: true })
  @Generated('increment')
  seq!: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data!: Record<string, unknown>;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
