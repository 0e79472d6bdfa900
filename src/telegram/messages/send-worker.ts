import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TelegramGateway } from '../gateway/telegram-gateway';
import type { OutgoingMessage, SendResult } from '../gateway/telegram-messaging';
import { SenderDirectory } from '../senders/sender-directory';
import { MessageMetrics } from './message-metrics';
import { MessageTransitions } from './message-transitions';
import { MessagesRepository } from './messages.repository';
import { backoffMs, failureOutcome } from './send-outcome';
import { SendQueue } from './send-queue';
import type { TelegramMessageEntity } from './telegram-message.entity';

const INACTIVE = {
  code: 'sender_inactive',
  message: 'The sender is no longer connected (revoked, removed or logged out)',
};

/**
 * Works the send queue: claims a message (MessageTransitions decides whether it is due), sends it
 * through the gateway with its fixed random_id, and records the outcome. Exactly once: a worker that
 * dies mid-send leaves the row `sending` and its job active; pg-boss expires and retries the job, the
 * claim sends again with the same random_id, and Telegram answers RANDOM_ID_DUPLICATE if the first
 * attempt got through — counted as sent.
 */
@Injectable()
export class SendWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private retryTimer?: ReturnType<typeof setTimeout>;
  private closing = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: SendQueue,
    private readonly transitions: MessageTransitions,
    private readonly repository: MessagesRepository,
    private readonly gateway: TelegramGateway,
    private readonly senders: SenderDirectory,
    private readonly metrics: MessageMetrics,
    @InjectPinoLogger(SendWorker.name) private readonly logger: PinoLogger,
  ) {}

  /** Starts the workers in the background: a database that is down at start delays sending, not the app. */
  onApplicationBootstrap(): void {
    void this.startWorkers();
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    clearTimeout(this.retryTimer);
  }

  private async startWorkers(): Promise<void> {
    if (this.closing) return;
    try {
      await this.queue.work(this.config.send.workers, (job) => this.handle(job.data.message_id, job.id));
    } catch (error) {
      if (this.closing) return;
      this.logger.warn({ err: error }, 'The send queue could not start; trying again in 5 s');
      this.retryTimer = setTimeout(() => void this.startWorkers(), 5000);
      this.retryTimer.unref();
    }
  }

  /** One job: claim, send, record. Errors of our own (database down) fail the job; pg-boss retries it. */
  async handle(messageId: string, jobId: string): Promise<void> {
    const claim = await this.transitions.claim(messageId, jobId);
    if (claim.kind !== 'send') return;
    const row = claim.row;
    let result: SendResult;
    try {
      const ref = await this.senders.of(row.senderType).open(row.userId, row.senderId);
      if (!ref) {
        await this.transitions.failed(row, INACTIVE);
        return;
      }
      const message = await this.outgoing(row);
      const run = await this.gateway.run(ref, { keepAlive: true }, (tg) => tg.messaging().send(message));
      result = run.value;
    } catch (error) {
      await this.failedAttempt(row, error);
      return;
    }
    await this.transitions.sent(
      row,
      result.kind === 'sent' ? result.messageId : null,
      result.kind === 'duplicate',
    );
  }

  private async failedAttempt(row: TelegramMessageEntity, error: unknown): Promise<void> {
    const outcome = failureOutcome(error);
    const problem = { code: outcome.code, message: outcome.message };
    switch (outcome.kind) {
      case 'wait': {
        this.metrics.waited(outcome.waitKind);
        const until = new Date(Date.now() + outcome.seconds * 1000);
        await this.transitions.waiting(row, problem, until, outcome.waitKind === 'flood');
        return;
      }
      case 'fail': {
        if (outcome.pauseSender) this.metrics.waited('peer_flood');
        const pause = outcome.pauseSender
          ? {
              until: new Date(Date.now() + this.config.send.peerFloodPauseSeconds * 1000),
              reason: 'peer_flood',
            }
          : undefined;
        await this.transitions.failed(row, problem, pause);
        return;
      }
      case 'revoked':
        // The sender first, so whoever sees the message failed also sees the sender revoked.
        await this.senders
          .of(row.senderType)
          .markRevoked(row.userId, row.senderId, outcome.error)
          .catch((e: unknown) =>
            this.logger.warn({ err: e, sender_id: row.senderId }, 'Could not mark the sender revoked'),
          );
        await this.transitions.failed(row, problem);
        return;
      case 'retry':
        if (outcome.code === 'internal_error')
          this.logger.error({ err: error, message_id: row.id }, 'Send failed');
        if (row.attempts >= this.config.send.maxAttempts) {
          await this.transitions.failed(row, {
            code: outcome.code,
            message: `${outcome.message} (gave up after ${row.attempts} attempts)`,
          });
          return;
        }
        await this.transitions.retrying(
          row,
          problem,
          new Date(Date.now() + backoffMs(this.config.send.retryBaseMs, row.attempts)),
        );
    }
  }

  private async outgoing(row: TelegramMessageEntity): Promise<OutgoingMessage> {
    const base: OutgoingMessage = {
      peer: { kind: row.peer.kind, id: row.peer.id, accessHash: row.peer.accessHash },
      text: row.text,
      parseMode: row.parseMode,
      randomId: row.randomId,
      silent: row.options.silent,
      noWebpage: row.options.disable_link_preview,
      replyTo: row.options.reply_to,
    };
    if (!row.media) return base;
    const content = await this.repository.fileOf(row.id);
    if (!content) throw new Error(`the file of message ${row.id} is missing`);
    return {
      ...base,
      media: { kind: row.media.kind, fileName: row.media.file_name, mimeType: row.media.mime_type, content },
    };
  }
}
