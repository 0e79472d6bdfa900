import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { HealthRegistry } from '../../health/health-registry';
import { AmqpBroker } from '../broker/amqp-broker';
import { EventMetrics } from '../event-metrics';
import { OutboxRepository } from './outbox.repository';

const GAUGE_INTERVAL_MS = 5000;
const PRUNE_INTERVAL_MS = 10 * 60_000;

/**
 * The outbox's health components (`rabbitmq`: the live connection, never critical — events wait;
 * `outbox`: backlog and oldest age), its gauges (every 5 s) and the retention sweep (every 10 min:
 * published rows older than EVENTS_RETENTION_HOURS; idempotent, so replicas need no lock).
 */
@Injectable()
export class OutboxMonitor implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: HealthRegistry,
    private readonly repository: OutboxRepository,
    private readonly broker: AmqpBroker,
    private readonly metrics: EventMetrics,
    @InjectPinoLogger(OutboxMonitor.name) private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    if (this.broker.enabled) {
      this.registry.register({
        key: 'rabbitmq',
        type: 'RabbitMQ',
        critical: false,
        probe: () => {
          if (!this.broker.ready())
            return Promise.reject(new Error('RabbitMQ is not connected; events wait in the outbox'));
          return Promise.resolve({
            exchange: this.config.events.exchange,
            consuming: this.broker.isConsuming(),
          });
        },
      });
    }
    this.registry.register({
      key: 'outbox',
      type: 'Transactional outbox',
      critical: false,
      probe: async () => {
        const backlog = await this.repository.backlog();
        return {
          delivery: this.broker.enabled ? 'rabbitmq' : 'in-process',
          backlog: backlog.count,
          oldest_unpublished_age_seconds: Math.round(backlog.oldestAgeSeconds * 10) / 10,
        };
      },
    });
  }

  @Interval('events-outbox-gauges', GAUGE_INTERVAL_MS)
  async updateGauges(): Promise<void> {
    try {
      const backlog = await this.repository.backlog();
      this.metrics.backlog.set(backlog.count);
      this.metrics.oldestAge.set(backlog.oldestAgeSeconds);
    } catch {
      // PostgreSQL away: the gauges keep their last value; readiness reports the database.
    }
  }

  @Interval('events-outbox-retention', PRUNE_INTERVAL_MS)
  async prune(): Promise<number> {
    try {
      const removed = await this.repository.prune(this.config.events.retentionHours);
      if (removed > 0) this.logger.info({ removed }, 'Pruned published outbox events past retention');
      return removed;
    } catch (error) {
      this.logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'Outbox prune failed',
      );
      return 0;
    }
  }
}
