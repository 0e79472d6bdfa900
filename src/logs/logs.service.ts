import { Injectable } from '@nestjs/common';
import { ErrorStatsDto, LogItemDto, LogsPageDto, LogsQueryDto, StatsQueryDto } from './logs.dto';
import { decodeCursor, encodeCursor } from './log-cursor';
import { LogsRepository } from './logs.repository';

@Injectable()
export class LogsService {
  constructor(private readonly logs: LogsRepository) {}

  async page(userId: number, query: LogsQueryDto): Promise<LogsPageDto> {
    const size = query.size ?? 20;
    const filter = {
      userId,
      integrationType: query.integration_type ?? 'telegram',
      status: query.log_status,
      daysBack: query.days_back ?? 30,
    };
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const page = after ? null : (query.page ?? 1);
    const offset = page ? (page - 1) * size : 0;
    // One row more than asked tells whether another page follows.
    const [rows, total] = await Promise.all([
      this.logs.page(filter, size + 1, offset, after),
      this.logs.count(filter),
    ]);
    const items = rows.slice(0, size);
    const last = items[items.length - 1];
    return {
      items: items.map((row) => LogItemDto.from(row)),
      total,
      page,
      size,
      pages: Math.ceil(total / size),
      next_cursor:
        rows.length > size && last ? encodeCursor({ createdAt: last.cursorTs, id: last.id }) : null,
    };
  }

  async errorStats(userId: number, query: StatsQueryDto): Promise<ErrorStatsDto> {
    const days = query.days_back ?? 7;
    const { total, errors, successes } = await this.logs.statusCounts(userId, days);
    return {
      total_actions: total,
      error_count: errors,
      success_count: successes,
      error_rate: total === 0 ? 0 : Math.round((errors / total) * 10_000) / 10_000,
      period_days: days,
    };
  }
}
