import type { EnvReader } from './env';

/** The send queue (POST /api/v1/telegram/send): attempts, pacing below Telegram's limits, media size. */
export interface SendConfig {
  /** Attempts of one message on timeouts / Telegram unavailable before it fails (flood waits are not attempts). */
  maxAttempts: number;
  /** First backoff after a transient failure; doubled per attempt, capped at 5 minutes. */
  retryBaseMs: number;
  /** Pacing on/off (off: only Telegram's own FLOOD_WAIT answers slow the queue; benchmarks). */
  pacing: boolean;
  /** Least time between two messages of one sender to one chat. */
  perChatIntervalMs: number;
  /** A bot's messages per second, all chats together (Telegram's bot FAQ: about 30). */
  botPerSecond: number;
  /** A bot's messages per minute to one group (Telegram's bot FAQ: 20). */
  botPerGroupPerMinute: number;
  /** How long a sender rests after PEER_FLOOD. */
  peerFloodPauseSeconds: number;
  /** Largest `file` part of a multipart send. */
  mediaMaxBytes: number;
  /** Queue workers in this process (each works one message at a time). */
  workers: number;
  /** How often an idle worker polls the queue (pg-boss allows 0.5 s and more). */
  pollIntervalMs: number;
  /** Idempotency keys are honoured at least this long. */
  idempotencyHours: number;
  /**
   * How long a job may stay active before pg-boss hands it to another worker (its worker died).
   * Unset: 4 × TELEGRAM_CALL_TIMEOUT_MS, at least 60 s. Lower only where sends are quick (tests).
   */
  jobExpirySeconds: number | undefined;
}

export function readSendConfig(r: EnvReader): SendConfig {
  return {
    maxAttempts: r.integer('SEND_MAX_ATTEMPTS', 5, 1, 100),
    retryBaseMs: r.integer('SEND_RETRY_BASE_MS', 2000, 10, 600_000),
    pacing: r.boolean('SEND_PACING_ENABLED', true),
    perChatIntervalMs: r.integer('SEND_PER_CHAT_INTERVAL_MS', 1000, 0, 3_600_000),
    botPerSecond: r.integer('SEND_BOT_PER_SECOND', 30, 1, 10_000),
    botPerGroupPerMinute: r.integer('SEND_BOT_PER_GROUP_PER_MINUTE', 20, 1, 10_000),
    peerFloodPauseSeconds: r.integer('SEND_PEER_FLOOD_PAUSE_SECONDS', 3600, 1, 7 * 86400),
    mediaMaxBytes: r.integer('SEND_MEDIA_MAX_BYTES', 20 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024),
    workers: r.integer('SEND_WORKERS', 4, 1, 64),
    pollIntervalMs: r.integer('SEND_POLL_INTERVAL_MS', 1000, 500, 60_000),
    idempotencyHours: r.integer('SEND_IDEMPOTENCY_HOURS', 24, 24, 24 * 365),
    jobExpirySeconds: r.integer('SEND_JOB_EXPIRY_SECONDS', undefined, 1, 86_400),
  };
}
