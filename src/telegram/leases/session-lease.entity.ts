import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Who may hold a GramJS client for a session or bot right now (see the migration TelegramSessionLeases). */
@Entity('telegram_session_leases')
@Index('idx_telegram_session_leases_owner', ['owner'])
export class SessionLeaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_telegram_session_leases' })
  key!: string;

  /** `host:pid:random` of the holding replica; NULL once released. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  owner!: string | null;

  /** Fencing token: grows with every new acquisition. */
  @Column({ type: 'bigint' })
  token!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Set by a replica waiting for the session: the owner hands its parked client over. */
  @Column({ name: 'wanted_at', type: 'timestamptz', nullable: true })
  wantedAt!: Date | null;

  /** When a replica's session watchdog last checked this session. */
  @Column({ name: 'checked_at', type: 'timestamptz', nullable: true })
  checkedAt!: Date | null;

  /** Watchdog checks in a row that found the session unreachable (by any replica). */
  @Column({ name: 'check_failures', type: 'integer', default: 0 })
  checkFailures!: number;
}
