import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { EventMetrics } from '../hub/event-metrics';
import { toCloudEvent } from '../outbox/cloud-event';
import { OutboxRepository } from '../outbox/outbox.repository';
import { OutboxService } from '../outbox/outbox.service';
import type { EventSink } from './event-sink';

export const EVENT_SINK = Symbol('EVENT_SINK');

/** Another replica is relaying: look again soon (its round is short). */
const BUSY_RETRY_MS = 50;

/**
 * The outbox relay: rounds of OutboxRepository.relayRound into the sink (RabbitMQ, or this
 * replica's EventHub without AMQP_URL). A round starts right after a local commit that wrote events,
 * at once again while rows remain, every EVENTS_RELAY_INTERVAL_MS otherwise (rows other replicas
 * committed), and with doubling back-off up to EVENTS_RELAY_MAX_BACKOFF_MS while the sink fails —
 * the rows simply wait in the outbox.
 */
@Injectable()
export class EventRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private wakeRequested = false;
  private stopped = false;
  private failures = 0;
  private unsubscribe?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    private readonly outbox: OutboxService,
    private readonly repository: OutboxRepository,
    private readonly metrics: EventMetrics,
    @InjectPinoLogger(EventRelay.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.outbox.onCommitted(() => this.wake());
    this.schedule(0);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.wakeRequested = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.round().finally(() => (this.running = undefined));
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    const { relayIntervalMs, relayBatchSize, maxBackoffMs, source } = this.config.events;
    let next = relayIntervalMs;
    try {
      if (!this.sink.ready()) throw new Error('the broker is not connected');
      const rows = await this.repository.relayRound(relayBatchSize, (batch) =>
        this.sink.publish(batch.map((row) => toCloudEvent(row, source))),
      );
      if (rows === 'busy') next = BUSY_RETRY_MS;
      else {
        for (const row of rows) this.metrics.published.inc({ type: row.type });
        if (rows.length === relayBatchSize) next = 0;
      }
      if (this.failures >= 3) this.logger.info({ after_failures: this.failures }, 'Event relay resumed');
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.metrics.relayFailures.inc();
      next = Math.min(relayIntervalMs * 2 ** Math.min(this.failures, 16), maxBackoffMs);
      // The broker connecting at start-up is not worth a line; an outage lasting three rounds is.
      if (this.failures === 3 || this.failures % 20 === 0) {
        this.logger.warn(
          {
            reason: error instanceof Error ? error.message : String(error),
            failures: this.failures,
            retry_in_ms: next,
          },
          'Event relay round failed; events wait in the outbox',
        );
      }
    } finally {
      if (!this.stopped) {
        this.schedule(this.wakeRequested && this.failures === 0 ? 0 : next);
        this.wakeRequested = false;
      }
    }
  }

  /** Before the pool and the broker close: no new round, and the current one finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
