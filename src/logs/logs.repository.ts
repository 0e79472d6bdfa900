import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { IntegrationLogEntity, type LogStatus } from './integration-log.entity';
import type { LogCursor } from './log-cursor';

export interface LogFilter {
  userId: number;
  integrationType: string;
  status?: LogStatus;
  daysBack: number;
}

export interface LogRow extends IntegrationLogEntity {
  /** created_at with microseconds, for the keyset cursor (a JS Date keeps only milliseconds). */
  cursorTs: string;
}

export interface NewLogRow {
  /** Set by callers that must later tell whether the row was committed; else PostgreSQL's default. */
  id?: string;
  userId: number;
  integrationType: string;
  action: string;
  status: LogStatus;
  details: Record<string, unknown>;
  errorMessage: string | null;
}

interface RawLogRow {
  id: string;
  user_id: number;
  integration_type: string;
  action: string;
  status: LogStatus;
  details: Record<string, unknown>;
  error_message: string | null;
  created_at: Date;
  updated_at: Date;
  cursor_ts: string;
}

const COLUMNS = `id, user_id, integration_type, action, status, details, error_message, created_at, updated_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_ts`;

/**
 * Owner-scoped queries on integration_logs, written as SQL because their shape is what the indexes
 * (migration AuditLogIndexes) were chosen for: equality on user_id and integration_type, a range on
 * created_at, newest first with id as the tie-breaker.
 */
@Injectable()
export class LogsRepository {
  constructor(
    @InjectRepository(IntegrationLogEntity) private readonly logs: Repository<IntegrationLogEntity>,
  ) {}

  /** Inserts the row, with the transaction's EntityManager when given (it then commits or rolls back with it). */
  async insert(row: NewLogRow, tx?: EntityManager): Promise<void> {
    // TypeORM's insert type cannot express an arbitrary JSONB object; the column is jsonb.
    const values = row as QueryDeepPartialEntity<IntegrationLogEntity>;
    await (tx ? tx.insert(IntegrationLogEntity, values) : this.logs.insert(values));
  }

  /** Whether the user's row with this id exists (a commit whose answer was lost did land). */
  async exists(userId: number, id: string): Promise<boolean> {
    const rows: unknown[] = await this.logs.query(
      'SELECT 1 FROM integration_logs WHERE id = $1 AND user_id = $2',
      [id, userId],
    );
    return rows.length > 0;
  }

  async page(filter: LogFilter, limit: number, offset: number, after?: LogCursor): Promise<LogRow[]> {
    const params: unknown[] = [filter.userId, filter.integrationType, filter.daysBack];
    let where = `user_id = $1 AND integration_type = $2 AND created_at >= now() - make_interval(days => $3)`;
    if (filter.status) {
      params.push(filter.status);
      where += ` AND status = $${params.length}`;
    }
    if (after) {
      params.push(after.createdAt, after.id);
      where += ` AND (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    params.push(limit, offset);
    const rows: RawLogRow[] = await this.logs.query(
      `SELECT ${COLUMNS} FROM integration_logs WHERE ${where}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toEntity);
  }

  async count(filter: LogFilter): Promise<number> {
    const params: unknown[] = [filter.userId, filter.integrationType, filter.daysBack];
    let where = `user_id = $1 AND integration_type = $2 AND created_at >= now() - make_interval(days => $3)`;
    if (filter.status) {
      params.push(filter.status);
      where += ` AND status = $4`;
    }
    const [row]: { total: string }[] = await this.logs.query(
      `SELECT count(*) AS total FROM integration_logs WHERE ${where}`,
      params,
    );
    return Number(row.total);
  }

  async statusCounts(
    userId: number,
    daysBack: number,
  ): Promise<{ total: number; errors: number; successes: number }> {
    const [row]: { total: string; errors: string; successes: string }[] = await this.logs.query(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE status = 'error') AS errors,
              count(*) FILTER (WHERE status = 'success') AS successes
       FROM integration_logs
       WHERE user_id = $1 AND created_at >= now() - make_interval(days => $2)`,
      [userId, daysBack],
    );
    return { total: Number(row.total), errors: Number(row.errors), successes: Number(row.successes) };
  }
}

function toEntity(raw: RawLogRow): LogRow {
  const entity = new IntegrationLogEntity() as LogRow;
  entity.id = raw.id;
  entity.userId = raw.user_id;
  entity.integrationType = raw.integration_type;
  entity.action = raw.action;
  entity.status = raw.status;
  entity.details = raw.details;
  entity.errorMessage = raw.error_message;
  entity.createdAt = raw.created_at;
  entity.updatedAt = raw.updated_at;
  entity.cursorTs = raw.cursor_ts;
  return entity;
}
