import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { HealthRegistry } from '../health/health-registry';
import { AMQP_PROBE, tcpProbe } from '../health/tcp-probe';
import { BackgroundFaults } from '../metrics/background-faults';
import { PeerCertificates } from '../tls/tls-certificates';
import { AmqpBroker } from './broker/amqp-broker';
import { EventMetrics } from './hub/event-metrics';
import { OutboxRepository } from './outbox/outbox.repository';

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
    private readonly peers: PeerCertificates,
    private readonly faults: BackgroundFaults,
    @InjectPinoLogger(OutboxMonitor.name) private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    if (this.broker.enabled) {
      this.registry.register({
        key: 'rabbitmq',
        type: 'RabbitMQ',
        critical: false,
        probe: () => this.probeBroker(),
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
      this.faults.ok('outbox_monitor');
    } catch (error) {
      // PostgreSQL away: the gauges keep their last value until the next refresh.
      this.faults.fault('outbox_monitor', error, { step: 'gauges' });
    }
  }

  @Interval('events-outbox-retention', PRUNE_INTERVAL_MS)
  async prune(): Promise<number> {
    try {
      const removed = await this.repository.prune(this.config.events.retentionHours);
      if (removed > 0) this.logger.info({ removed }, 'Pruned published outbox events past retention');
      return removed;
    } catch (error) {
      this.faults.fault('outbox_monitor', error, { step: 'prune' });
      return 0;
    }
  }

  /**
   * The live connection's state. Over amqps:// a verified handshake is made first: it names a TLS
   * failure's reason (foreign CA, wrong host, refused client certificate) and records the server's
   * certificate for dependency_tls_cert_expiry_seconds.
   */
  private async probeBroker(): Promise<Record<string, unknown>> {
    const tls = this.config.tls.rabbitmq;
    if (tls.enabled && this.config.amqpUrl) {
      await tcpProbe(this.config.amqpUrl, AMQP_PROBE, this.config.health.checkTimeoutMs, {
        settings: tls,
        peers: this.peers,
      });
    }
    if (!this.broker.ready()) throw new Error('RabbitMQ is not connected; events wait in the outbox');
    return {
      exchange: this.config.events.exchange,
      consuming: this.broker.isConsuming(),
      ...(tls.enabled ? { tls: true } : {}),
    };
  }
}
