import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { OutboxRow } from './cloud-event';

/** "integration-service event relay": the one replica relaying holds it for its round's transaction. */
export const RELAY_LOCK_ID = 7_420_513_012;
const PRUNE_BATCH = 5000;

interface RawRow {
  id: string;
  seq: string;
  user_id: number;
  type: string;
  subject: string;
  data: Record<string, unknown>;
  created_at: Date;
}

const COLUMNS = 'id, seq, user_id, type, subject, data, created_at';

function toRow(raw: RawRow): OutboxRow {
  return {
    id: raw.id,
    seq: raw.seq,
    userId: raw.user_id,
    type: raw.type,
    subject: raw.subject,
    data: raw.data,
    createdAt: raw.created_at,
  };
}

export interface Backlog {
  count: number;
  oldestAgeSeconds: number;
}

/** The outbox queries of the relay, the retention sweep, the health probe and WebSocket resume. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One relay round in one transaction: under the relay's transaction-level advisory lock (so two
   * replicas never publish the same rows), the oldest unpublished rows in `seq` order are handed to
   * `publish` and, once it resolved (the broker confirmed them), marked published. A crash or a
   * failed publish rolls the marks back: the rows go again next round (at-least-once).
   * Answers the rows published, or 'busy' when another replica is relaying.
   */
  async relayRound(
    limit: number,
    publish: (rows: OutboxRow[]) => Promise<void>,
  ): Promise<OutboxRow[] | 'busy'> {
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = (await tx.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        RELAY_LOCK_ID,
      ])) as {
        locked: boolean;
      }[];
      if (!locked) return 'busy';
      const raw = (await tx.query(
        `SELECT ${COLUMNS} FROM integration_events WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [limit],
      )) as RawRow[];
      if (raw.length === 0) return [];
      const rows = raw.map(toRow);
      await publish(rows);
      await tx.query(`UPDATE integration_events SET published_at = now() WHERE id = ANY($1::uuid[])`, [
        rows.map((r) => r.id),
      ]);
      return rows;
    });
  }

  async backlog(): Promise<Backlog> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS count,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS age
         FROM integration_events WHERE published_at IS NULL`,
    )) as { count: number; age: number }[];
    return { count: row.count, oldestAgeSeconds: row.age };
  }

  /** Removes published rows older than `hours`, in batches; answers how many. */
  async prune(hours: number): Promise<number> {
    let total = 0;
    for (;;) {
      const [, affected] = (await this.dataSource.query(
        `DELETE FROM integration_events WHERE id IN (
           SELECT id FROM integration_events
            WHERE published_at IS NOT NULL AND published_at < now() - make_interval(hours => $1)
            LIMIT ${PRUNE_BATCH})`,
        [hours],
      )) as [unknown, number];
      total += affected;
      if (affected < PRUNE_BATCH) return total;
    }
  }

  /**
   * The user's events after `eventId` (resume), oldest first, at most `limit`; null when that event
   * is not (or no longer) in the outbox — the client must then reload its state.
   */
  async after(userId: number, eventId: string, limit: number): Promise<OutboxRow[] | null> {
    const anchor = (await this.dataSource.query(
      'SELECT seq FROM integration_events WHERE id = $1 AND user_id = $2',
      [eventId, userId],
    )) as { seq: string }[];
    if (anchor.length === 0) return null;
    const raw = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM integration_events WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [userId, anchor[0].seq, limit],
    )) as RawRow[];
    return raw.map(toRow);
  }
}
