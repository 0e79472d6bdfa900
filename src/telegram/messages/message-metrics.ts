import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';
import { scrapedGauge } from '../../metrics/scraped-gauge';
import { MessagesRepository } from './messages.repository';
import { OPEN_STATUSES } from './telegram-message.entity';

/** The send queue's metrics: results, queue depth, enqueue-to-sent latency, flood waits. */
@Injectable()
export class MessageMetrics {
  private readonly results: Counter<'result' | 'sender_type'>;
  private readonly latency: Histogram<'sender_type'>;
  private readonly waits: Counter<'kind'>;

  constructor(metrics: MetricsService, repository: MessagesRepository) {
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

  waited(kind: 'flood' | 'slowmode' | 'peer_flood'): void {
    this.waits.inc({ kind });
  }
}
