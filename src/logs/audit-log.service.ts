import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Counter } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import type { LogStatus } from './integration-log.entity';
import { LogsRepository } from './logs.repository';
import { sanitizeDetails, sanitizeErrorMessage } from './sanitize';

export interface AuditEntry {
  userId: number;
  action: string;
  status: LogStatus;
  integrationType?: string;
  details?: Record<string, unknown>;
  errorMessage?: string | null;
}

/**
 * The one way every module records an integration action. Recording never fails the action it
 * records: a failed write is logged and counted, and the caller carries on.
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
      await this.logs.insert({
        userId: entry.userId,
        integrationType: (entry.integrationType ?? 'telegram').slice(0, 50),
        action: entry.action.slice(0, 50),
        status: entry.status,
        details: sanitizeDetails(entry.details),
        errorMessage: sanitizeErrorMessage(entry.errorMessage),
      });
      this.written.inc({ action: entry.action, status: entry.status });
    } catch (error) {
      this.failed.inc({ action: entry.action });
      this.logger.error(
        { err: error, action: entry.action, user_id: entry.userId },
        'Could not write an audit log row',
      );
    }
  }
}
