import type { EnvReader } from './env';

export interface EventsConfig {
  /** The durable topic exchange events are published to (routing key = event type). */
  exchange: string;
  /** CloudEvents `source` of every event this service produces. */
  source: string;
  /** Published outbox rows are removed after this many hours (resume reaches back this far). */
  retentionHours: number;
  /** How often an idle relay looks for rows another replica committed. */
  relayIntervalMs: number;
  /** Rows published per relay round (one transaction, one confirm wait). */
  relayBatchSize: number;
  /** Bound on one publish + confirm; past it the round is rolled back and retried. */
  publishTimeoutMs: number;
  /** Longest back-off between relay rounds while RabbitMQ is away. */
  maxBackoffMs: number;
  ws: {
    /** A socket that has not authenticated within this is closed with 4401. */
    authTimeoutMs: number;
    /** Ping interval; a socket that did not answer the previous ping is closed. */
    pingIntervalMs: number;
    /** Open sockets per user; one more is closed with 4429. */
    maxConnectionsPerUser: number;
    /** A socket whose unsent bytes exceed this is dropped (slow client). */
    maxBufferedBytes: number;
    /** Events replayed on resume, at most. */
    maxReplay: number;
  };
}

/** EVENTS_* and WS_* variables (see .env.example). */
export function readEventsConfig(r: EnvReader): EventsConfig {
  const exchange = r.string('EVENTS_EXCHANGE', 'integration.events');
  if (!/^[A-Za-z0-9._:-]{1,255}$/.test(exchange)) {
    r.problem('EVENTS_EXCHANGE', 'must be 1-255 letters, digits or . _ : -');
  }
  return {
    exchange,
    source: r.string('EVENTS_SOURCE', '/content-factory/integration-service'),
    retentionHours: r.integer('EVENTS_RETENTION_HOURS', 72, 1, 24 * 365),
    relayIntervalMs: r.integer('EVENTS_RELAY_INTERVAL_MS', 500, 10, 60_000),
    relayBatchSize: r.integer('EVENTS_RELAY_BATCH_SIZE', 200, 1, 10_000),
    publishTimeoutMs: r.integer('EVENTS_PUBLISH_TIMEOUT_MS', 5000, 100, 120_000),
    maxBackoffMs: r.integer('EVENTS_RELAY_MAX_BACKOFF_MS', 10_000, 100, 300_000),
    ws: {
      authTimeoutMs: r.integer('WS_AUTH_TIMEOUT_MS', 5000, 100, 60_000),
      pingIntervalMs: r.integer('WS_PING_INTERVAL_MS', 30_000, 100, 600_000),
      maxConnectionsPerUser: r.integer('WS_MAX_CONNECTIONS_PER_USER', 10, 1, 10_000),
      maxBufferedBytes: r.integer('WS_MAX_BUFFERED_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
      maxReplay: r.integer('WS_MAX_REPLAY', 1000, 1, 100_000),
    },
  };
}
