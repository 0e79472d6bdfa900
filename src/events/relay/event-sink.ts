import type { CloudEvent } from '../outbox/cloud-event';

/** Where the relay hands outbox rows: RabbitMQ with AMQP_URL, this replica's EventHub without. */
export interface EventSink {
  ready(): boolean;
  publish(events: readonly CloudEvent[]): Promise<void>;
}
