import { Injectable } from '@nestjs/common';
import { EventHub } from '../hub/event-hub';
import type { CloudEvent } from '../outbox/cloud-event';
import type { EventSink } from './event-sink';

/** Without AMQP_URL: the relay delivers to this replica's own WebSocket clients only. */
@Injectable()
export class LocalSink implements EventSink {
  constructor(private readonly hub: EventHub) {}

  ready(): boolean {
    return true;
  }

  publish(events: readonly CloudEvent[]): Promise<void> {
    this.hub.deliver(events);
    return Promise.resolve();
  }
}
