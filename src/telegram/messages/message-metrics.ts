import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { HealthRegistry } from '../../health/health-registry';
import { MetricsService } from '../../metrics/metrics.service';
import { scrapedGauge } from '../../metrics/scraped-gauge';
import { MessagesRepository } from './messages.repository';
import { PARK_REASONS, type ParkReason } from './send-outcome';
import { OPEN_STATUSES } from './telegram-message.entity';

/** The send queue's metrics: results, queue depth, enqueue-to-sent latency, flood waits. */
@Injectable()
export class MessageMetrics {
  private readonly results: Counter<'result' | 'sender_type'>;
  private readonly latency: Histogram<'sender_type'>;
  private readonly waits: Counter<'kind'>;
  private readonly parks: Counter<'reason'>;

  constructor(metrics: MetricsService, repository: MessagesRepository, health: HealthRegistry) {
    this.parks = metrics.counter(
      'telegram_message_parks_total',
      'Attempts that parked a message (`waiting`) until a dependency is mended, by reason',
      ['reason'],
    );
    scrapedGauge(
      metrics,
      'telegram_messages_parked',
      'Messages waiting for a dependency to be mended, by reason (read from PostgreSQL at scrape)',
      ['reason'],
      async (gauge) => {
        const counts = await repository.countParked(PARK_REASONS).catch(() => undefined);
        if (!counts) return;
        for (const reason of PARK_REASONS) gauge.set({ reason }, counts[reason] ?? 0);
      },
    );
    // Parked messages make the service degraded (not unready): an operator must mend something.
    health.register({
      key: 'send_queue',
      type: 'Send queue',
      critical: false,
      probe: async () => {
        const counts = await repository.countParked(PARK_REASONS);
        const parked = Object.entries(counts).filter(([, n]) => n > 0);
        if (parked.length) {
          throw new Error(
            `Messages wait until mended: ${parked.map(([reason, n]) => `${n} × ${reason}`).join(', ')}`,
          );
        }
        return { parked: 0 };
      },
    });
    this.results = metrics.counter(
      'telegram_messages_total',
      'Messages that reached an end, by result (sent, failed, cancelled) and sender type',
      ['result', 'sender_type'],
    );
    this.latency = metrics.histogram(
      'telegram_message_enqueue_to_sent_seconds',
      'From the POST that queued a message to Telegram accepting it',
      ['sender_type'],
      [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
    );
    this.waits = metrics.counter(
      'telegram_message_flood_waits_total',
      'Waits Telegram asked for while sending, by kind (flood, slowmode, peer_flood)',
      ['kind'],
    );
    scrapedGauge(
      metrics,
      'telegram_message_queue_depth',
      'Messages not yet at an end, by status (all replicas: read from PostgreSQL at scrape)',
      ['status'],
      async (gauge) => {
        const counts = await repository.countByStatus().catch(() => undefined);
        if (!counts) return;
        for (const status of OPEN_STATUSES) {
          gauge.set({ status }, counts.find((c) => c.status === status)?.count ?? 0);
        }
      },
    );
    scrapedGauge(
      metrics,
      'telegram_message_oldest_open_age_seconds',
      'Age of the oldest message not yet sent, failed or cancelled (read from PostgreSQL at scrape)',
      [],
      async (gauge) => {
        const age = await repository.oldestOpenAgeSeconds().catch(() => undefined);
        if (age !== undefined) gauge.set(age);
      },
    );
  }

  ended(result: 'sent' | 'failed' | 'cancelled', senderType: string, queuedAt?: Date): void {
    this.results.inc({ result, sender_type: senderType });
    if (result === 'sent' && queuedAt) {
      this.latency.observe(
        { sender_type: senderType },
        Math.max(0, (Date.now() - queuedAt.getTime()) / 1000),
      );
    }
  }

  parked(reason: ParkReason): void {
    this.parks.inc({ reason });
  }

  waited(kind: 'flood' | 'slowmode' | 'peer_flood'): void {
    this.waits.inc({ kind });
  }
}
