import { Injectable } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';

/** The events' Prometheus metrics (relay, outbox, WebSocket). */
@Injectable()
export class EventMetrics {
  readonly published: Counter<'type'>;
  readonly relayFailures: Counter;
  readonly backlog: Gauge;
  readonly oldestAge: Gauge;
  readonly connections: Gauge;
  readonly pushed: Counter<'type'>;
  readonly dropped: Counter<'reason'>;

  constructor(metrics: MetricsService) {
    this.published = metrics.counter('integration_events_published_total', 'Outbox events relayed, by type', [
      'type',
    ]);
    this.relayFailures = metrics.counter(
      'integration_events_relay_failures_total',
      'Relay rounds that failed (broker away, publish not confirmed); retried with back-off',
      [],
    );
    this.backlog = metrics.gauge('integration_events_outbox_backlog', 'Outbox events not yet published', []);
    this.oldestAge = metrics.gauge(
      'integration_events_outbox_oldest_age_seconds',
      'Age of the oldest unpublished outbox event (0 when none)',
      [],
    );
    this.connections = metrics.gauge(
      'integration_ws_connections',
      'Open WebSocket connections (authenticated)',
      [],
    );
    this.pushed = metrics.counter(
      'integration_ws_messages_pushed_total',
      'Events pushed to WebSocket clients',
      ['type'],
    );
    this.dropped = metrics.counter(
      'integration_ws_clients_dropped_total',
      'WebSocket clients dropped by the service, by reason (backpressure, ping timeout, rate limit)',
      ['reason'],
    );
  }
}
