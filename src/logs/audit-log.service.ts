import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';
import type { LogStatus } from './integration-log.entity';
import { LogsRepository, type NewLogRow } from './logs.repository';
import { sanitizeDetails, sanitizeErrorMessage } from './sanitize';

export interface AuditEntry {
  /** The row's id when the caller needs to find it again (see `wasWritten`); else PostgreSQL's default. */
  id?: string;
  userId: number;
  action: string;
  status: LogStatus;
  integrationType?: string;
  details?: Record<string, unknown>;
  errorMessage?: string | null;
}

/**
 * The one way every module records an integration action. `record` never fails the action it
 * records: a failed write is logged and counted, and the caller carries on. `recordIn` writes the
 * row inside the caller's transaction, for an action whose state change and audit row must commit
 * together: it throws, so the transaction rolls back with it. Both apply the same sanitizing and caps.
 */
@Injectable()
export class AuditLogService {
  private readonly written: Counter<'action' | 'status'>;
  private readonly failed: Counter<'action'>;

  constructor(
    private readonly logs: LogsRepository,
    metrics: MetricsService,
    @InjectPinoLogger(AuditLogService.name) private readonly logger: PinoLogger,
  ) {
    this.written = metrics.counter(
      'integration_log_writes_total',
      'Audit rows written, by action and status',
      ['action', 'status'],
    );
    this.failed = metrics.counter(
      'integration_log_write_failures_total',
      'Audit rows that could not be written',
      ['action'],
    );
  }

  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.logs.insert(this.row(entry));
      this.written.inc({ action: entry.action, status: entry.status });
    } catch (error) {
      this.failed.inc({ action: entry.action });
      this.logger.error(
        { err: error, action: entry.action, user_id: entry.userId },
        'Could not write an audit log row',
      );
    }
  }

  /**
   * Writes the row with the transaction's EntityManager. Throws when the insert fails (the caller's
   * transaction then rolls back). Call `committed(entry)` once that transaction committed.
   */
  async recordIn(tx: EntityManager, entry: AuditEntry): Promise<void> {
    await this.logs.insert(this.row(entry), tx);
  }

  /** Counts a row written by `recordIn` whose transaction committed. */
  committed(entry: AuditEntry): void {
    this.written.inc({ action: entry.action, status: entry.status });
  }

  /** Whether the user's row with this id exists: tells whether a commit whose answer was lost landed. */
  wasWritten(userId: number, id: string): Promise<boolean> {
    return this.logs.exists(userId, id);
  }

  private row(entry: AuditEntry): NewLogRow {
    return {
      ...(entry.id ? { id: entry.id } : {}),
      userId: entry.userId,
      integrationType: (entry.integrationType ?? 'telegram').slice(0, 50),
      action: entry.action.slice(0, 50),
      status: entry.status,
      details: sanitizeDetails(entry.details),
      errorMessage: sanitizeErrorMessage(entry.errorMessage),
    };
  }
}
