import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { WatchdogKind } from './watchdog-metrics';

/** One session or bot the watchdog should check: its row id and owner. */
export interface WatchdogTarget {
  kind: WatchdogKind;
  id: string;
  userId: number;
}

/** At most this many targets per round and replica (the rest come next round, least recently checked first). */
const ROUND_LIMIT = 20000;

/**
 * What is due for a check: active sessions (connected, or `error` with their secret kept) and active
 * bots that no replica checked in the last tenth of `intervalMs` (telegram_session_leases.checked_at),
 * least recently checked first (so each keeps about the same place in every round). Reads across users by design: the watchdog works for every user.
 */
@Injectable()
export class WatchdogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async due(intervalMs: number): Promise<WatchdogTarget[]> {
    const rows = (await this.dataSource.query(
      `SELECT t.kind, t.id, t.user_id FROM (
         SELECT 'session' AS kind, s.id, s.user_id FROM telegram_sessions s
          WHERE s.is_active AND s.status IN ('connected', 'error') AND s.session_data <> '{}'::jsonb
         UNION ALL
         SELECT 'bot' AS kind, b.id, b.user_id FROM telegram_bots b
          WHERE b.is_active AND b.status = 'active'
       ) t
       LEFT JOIN telegram_session_leases l ON l.key = t.id::text
       WHERE l.checked_at IS NULL OR l.checked_at < clock_timestamp() - $1 * interval '1 millisecond'
       ORDER BY l.checked_at NULLS FIRST
       LIMIT $2`,
      // A round lists nearly everything due this round; each check then claims its target
      // (SessionLeases.claimCheck), which is what keeps replicas from checking one session twice.
      [Math.floor(intervalMs * 0.1), ROUND_LIMIT],
    )) as { kind: WatchdogKind; id: string; user_id: number }[];
    return rows.map((r) => ({ kind: r.kind, id: r.id, userId: r.user_id }));
  }
}
