import type { OutboxEventEntity } from './outbox-event.entity';

/**
 * A CloudEvents 1.0 event in the structured JSON format. `userid` (extension) is the platform user
 * the event belongs to; `sequence` (the sequence extension) is its position in the outbox.
 */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  userid: number;
  sequence: string;
  data: Record<string, unknown>;
}

export type OutboxRow = Pick<
  OutboxEventEntity,
  'id' | 'seq' | 'userId' | 'type' | 'subject' | 'data' | 'createdAt'
>;

export function toCloudEvent(row: OutboxRow, source: string): CloudEvent {
  return {
    specversion: '1.0',
    id: row.id,
    source,
    type: row.type,
    time: new Date(row.createdAt).toISOString(),
    subject: row.subject,
    datacontenttype: 'application/json',
    userid: row.userId,
    sequence: String(row.seq),
    data: row.data,
  };
}

export function isCloudEvent(value: unknown): value is CloudEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<CloudEvent>;
  return (
    e.specversion === '1.0' &&
    typeof e.id === 'string' &&
    typeof e.type === 'string' &&
    typeof e.userid === 'number' &&
    typeof e.subject === 'string'
  );
}
