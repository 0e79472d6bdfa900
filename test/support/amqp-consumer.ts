import { randomUUID } from 'node:crypto';
import amqplib, { type Channel, type ChannelModel } from 'amqplib';

/** The machine's RabbitMQ (CI: .ci/run starts it). */
export const AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface Received {
  routingKey: string;
  messageId: string;
  event: { id: string; type: string; userid: number; data: Record<string, unknown> };
}

/** A unique exchange name, so parallel runs by other engineers never see each other's events. */
export function uniqueExchange(): string {
  return `test.integration.events.${randomUUID()}`;
}

/**
 * A consumer bound to the whole exchange (`#`), straight to RabbitMQ (never through a test proxy);
 * records every message. close() also deletes the exchange.
 */
export class TestConsumer {
  readonly received: Received[] = [];
  private connection?: ChannelModel;
  private channel?: Channel;

  constructor(private readonly exchange: string) {}

  async start(): Promise<void> {
    this.connection = await amqplib.connect(AMQP_URL);
    this.channel = await this.connection.createChannel();
    await this.channel.assertExchange(this.exchange, 'topic', { durable: true });
    const { queue } = await this.channel.assertQueue('', { exclusive: true, autoDelete: true });
    await this.channel.bindQueue(queue, this.exchange, '#');
    await this.channel.consume(
      queue,
      (message) => {
        if (!message) return;
        this.received.push({
          routingKey: message.fields.routingKey,
          messageId: String(message.properties.messageId),
          event: JSON.parse(message.content.toString()) as Received['event'],
        });
      },
      { noAck: true },
    );
  }

  ids(): Set<string> {
    return new Set(this.received.map((r) => r.event.id));
  }

  async until(check: () => boolean, timeoutMs = 15_000, what = 'messages'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    await this.channel?.deleteExchange(this.exchange).catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }
}
