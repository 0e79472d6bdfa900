import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { PgBoss, type Job } from 'pg-boss';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { BackgroundFaults } from '../../metrics/background-faults';
import { MessagesRepository } from './messages.repository';
import { requeueFromRetiredSchema, retirePgBoss10Schema } from './send-queue-upgrade';

export const SEND_QUEUE = 'telegram-send';

/** A running job's heartbeat is expected this often (pg-boss's minimum); its worker beats every half. */
const HEARTBEAT_SECONDS = 10;
const SUPERVISE_SECONDS = 5;

export interface SendJob {
  message_id: string;
}

export type SendJobHandler = (job: { id: string; data: SendJob }) => Promise<void>;

/**
 * The only file that knows pg-boss. Jobs live in PostgreSQL (schema `pgboss`, installed and
 * upgraded by pg-boss itself under its advisory lock), reached through the app's own pool: the
 * embedded default works unchanged, and every replica works the same queue (SKIP LOCKED fetches).
 * A job only names a message; the message row says what to do. `schedule` writes the job inside the
 * caller's transaction, so a state change and its job commit together.
 */
@Injectable()
export class SendQueue implements BeforeApplicationShutdown {
  /** This process, as the owner of sender leases. */
  readonly instanceId = randomUUID();
  private readonly boss: PgBoss;
  private readonly pool: Pool;
  private readonly workerIds: string[] = [];
  private started?: Promise<void>;
  private working?: Promise<void>;
  /** Set at shutdown: nothing starts pg-boss or registers a worker after it (they would outlive the app). */
  private closing = false;
  private nextWake = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() dataSource: DataSource,
    private readonly repository: MessagesRepository,
    private readonly faults: BackgroundFaults,
    @InjectPinoLogger(SendQueue.name) private readonly logger: PinoLogger,
  ) {
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    this.boss = new PgBoss({
      db: { executeSql: (text: string, values?: unknown[]) => pool.query(text, values) },
      schedule: false,
      // pg-boss expires jobs in its maintenance pass: run it at least as often as a job expires.
      maintenanceIntervalSeconds: Math.min(30, this.expireSeconds()),
      // The supervisor fails (retries) jobs whose heartbeat stopped: a dead replica's job runs again
      // within HEARTBEAT_SECONDS + this, not when it expires.
      superviseIntervalSeconds: SUPERVISE_SECONDS,
      monitorIntervalSeconds: SUPERVISE_SECONDS,
    });
    // pg-boss catches what its workers and timers throw (a fetch, a fail() or a heartbeat while
    // PostgreSQL is away) and emits it here; it keeps polling by itself.
    this.boss.on('error', (error: Error) => this.faults.fault('send_queue', error));
    this.pool = pool;
  }

  /** Installs/upgrades pg-boss's schema (once per process) and creates the queue. */
  start(): Promise<void> {
    if (this.closing) return Promise.reject(new Error('The send queue is shutting down'));
    const starting = (this.started ??= (async () => {
      // A database that pg-boss 10 used keeps its queue through the upgrade (send-queue-upgrade.ts).
      await retirePgBoss10Schema(this.pool);
      await this.boss.start();
      const options = {
        // A job is retried only when its worker died (no heartbeat, or expired while active) or its
        // handler gave up on PostgreSQL: the row says how far it got.
        retryLimit: 1000,
        retryDelay: 1,
        expireInSeconds: this.expireSeconds(),
        heartbeatSeconds: HEARTBEAT_SECONDS,
      };
      await this.boss.createQueue(SEND_QUEUE, { policy: 'standard', ...options });
      // A queue created by an earlier version keeps its options until they are updated.
      await this.boss.updateQueue(SEND_QUEUE, options);
      const requeued = await requeueFromRetiredSchema(this.pool, (jobs) =>
        this.boss.insert(SEND_QUEUE, jobs).then(() => undefined),
      );
      if (requeued !== null) {
        this.logger.info(
          { jobs: requeued },
          'Send queue moved from pg-boss 10: jobs of unfinished messages queued again',
        );
      }
    })());
    // A failed start (database down) is tried again by the next caller.
    starting.catch(() => {
      if (this.started === starting) this.started = undefined;
    });
    return starting;
  }

  /** Starts `count` workers; each takes one job at a time. */
  work(count: number, handler: SendJobHandler): Promise<void> {
    this.working = this.register(count, handler);
    return this.working;
  }

  private async register(count: number, handler: SendJobHandler): Promise<void> {
    await this.start();
    for (let i = 0; i < count && !this.closing; i++) {
      let self = '';
      self = await this.boss.work<SendJob>(
        SEND_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: this.config.send.pollIntervalMs / 1000 },
        async ([job]: Job<SendJob>[]) => {
          await handler({ id: job.id, data: job.data });
          this.faults.ok('send_queue');
          // More work is likely right behind this job: fetch again without waiting for the poll.
          this.boss.notifyWorker(self);
        },
      );
      this.workerIds.push(self);
    }
  }

  /** A new job for the message, at `at`, written in the caller's transaction. Answers its id. */
  async schedule(tx: EntityManager, messageId: string, at: Date | null): Promise<string> {
    await this.start();
    const id = randomUUID();
    const runner = tx.queryRunner;
    if (!runner) throw new Error('SendQueue.schedule needs a transaction');
    const created = await this.boss.send(SEND_QUEUE, { message_id: messageId } satisfies SendJob, {
      id,
      ...(at && at.getTime() > Date.now() ? { startAfter: at } : {}),
      db: {
        executeSql: async (text: string, values: unknown[]) => {
          const result = await runner.query(text, values, true);
          return { rows: result.records as unknown[] };
        },
      },
    });
    if (created !== id) throw new Error(`pg-boss did not create the job of message ${messageId}`);
    return id;
  }

  /** Tells one of this process's workers (in turn) to fetch now instead of at its next poll. */
  wake(): void {
    if (!this.workerIds.length) return;
    this.nextWake = (this.nextWake + 1) % this.workerIds.length;
    this.boss.notifyWorker(this.workerIds[this.nextWake]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.working?.catch(() => undefined);
    if (!this.started) return;
    await this.started.catch(() => undefined);
    // The pool belongs to TypeORM: pg-boss must not close it.
    await this.boss.stop({ graceful: true, close: false, timeout: 5000 }).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'Send queue did not stop cleanly');
    });
    // Our workers are done: another replica may take our senders now, not when the leases run out.
    await this.repository.releaseLeases(this.instanceId).catch(() => undefined);
  }

  /** SEND_JOB_EXPIRY_SECONDS, else 4 × the call timeout and at least 60 s (longer than any send). */
  expireSeconds(): number {
    return (
      this.config.send.jobExpirySeconds ??
      Math.max(60, Math.ceil((this.config.telegram.callTimeoutMs * 4) / 1000))
    );
  }
}
