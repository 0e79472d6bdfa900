import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../database/base.entity';

export const LOG_STATUSES = ['success', 'error', 'pending'] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];

@Entity('integration_logs')
@Check('chk_integration_logs_status', `"status" IN ('success', 'error', 'pending')`)
// Defined in migration AuditLogIndexes (INCLUDE columns are beyond TypeORM's @Index).
@Index('idx_integration_logs_user_type_created', { synchronize: false })
@Index('idx_integration_logs_user_created_status', { synchronize: false })
export class IntegrationLogEntity extends BaseEntity {
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ name: 'integration_type', type: 'varchar', length: 50 })
  integrationType!: string;

  @Column({ type: 'varchar', length: 50 })
  action!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: LogStatus;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;
}
