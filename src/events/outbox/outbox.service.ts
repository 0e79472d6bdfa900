import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type TransactionCommitEvent,
} from 'typeorm';
import { scrub } from '../../common/logging/redact';
import type { EventType } from '../catalogue/event-types';

/** What a transition hands to `OutboxService.add`. */
export interface EventDraft {
  type: EventType;
  /** What the event is about, e.g. `sessions/<id>`; the relay keeps order per subject. */
  subject: string;
  userId: number;
  /** Safe facts only; scrubbed with the log redaction rules all the same (phones masked, secrets cut). */
  data: Record<string, unknown>;
}

const WROTE_EVENTS = 'integrationEventsWritten';

/**
 * The outbox API: `add(manager, draft)` inserts the event with the transaction's EntityManager, so
 * it commits (or rolls back) with the state change and its audit row. Once such a transaction
 * commits, the local relay is woken at once (other replicas find the row on their next round).
 */
@Injectable()
export class OutboxService implements OnModuleInit, EntitySubscriberInterface {
  private readonly listeners = new Set<() => void>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  async add(manager: EntityManager, draft: EventDraft): Promise<string> {
    const runner = manager.queryRunner;
    // (A runner released mid-transaction lost its connection: the insert below fails as such.)
    if (!runner || (!runner.isReleased && !runner.isTransactionActive)) {
      throw new Error('OutboxService.add must run inside the state change transaction');
    }
    // On the transaction's own runner (as the repositories' writes): a connection lost mid-transaction
    // then fails as "Query runner already released", which the commit retry knows as PostgreSQL away.
    const rows = (await runner.query(
      `INSERT INTO integration_events (user_id, type, subject, data) VALUES ($1, $2, $3, $4) RETURNING id`,
      [draft.userId, draft.type, draft.subject.slice(0, 200), JSON.stringify(cleanData(draft.data))],
    )) as { id: string }[];
    runner.data = { ...runner.data, [WROTE_EVENTS]: true };
    return rows[0].id;
  }

  /** Called (synchronously) after every commit that wrote events. */
  onCommitted(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (!data?.[WROTE_EVENTS]) return;
    delete data[WROTE_EVENTS];
    for (const listener of this.listeners) listener();
  }

  afterTransactionRollback(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (data) delete data[WROTE_EVENTS];
  }
}

/** The log redaction rules, and no empty values. */
export function cleanData(data: Record<string, unknown>): Record<string, unknown> {
  const scrubbed = scrub(data) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(scrubbed).filter(([, value]) => value !== undefined));
}
