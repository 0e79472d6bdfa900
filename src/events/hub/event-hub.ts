import { Injectable } from '@nestjs/common';
import type { CloudEvent } from '../outbox/cloud-event';

export type EventListener = (event: CloudEvent) => void;

/**
 * This replica's fan-out of delivered events to its WebSocket registry (and anything else that
 * listens). Fed by the broker consumer with AMQP_URL, by the relay itself without.
 */
@Injectable()
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliver(events: readonly CloudEvent[]): void {
    for (const event of events) for (const listener of this.listeners) listener(event);
  }
}
