import { AppError, DependencyUnavailableError } from '../../common/errors/app-error';
import { isDatabaseUnavailable } from '../../common/errors/database-outage';
import {
  CipherNotConfiguredError,
  SecretDecryptionError,
  VaultSecretNotFoundError,
  VaultUnavailableError,
} from '../../vault';
import { TelegramCredentialsMissingError } from '../credentials/telegram-credentials.provider';
import {
  TelegramFloodWaitError,
  TelegramNotConfiguredError,
  TelegramRejectedError,
  TelegramSessionBusyError,
  TelegramSessionRevokedError,
} from '../telegram.errors';

/** What one attempt's failure means for the message. */
export type FailureOutcome =
  /** FLOOD_WAIT_N / SLOWMODE_WAIT_N: `waiting`, tried again after N s; not a failed attempt. */
  | { kind: 'wait'; seconds: number; waitKind: 'flood' | 'slowmode'; code: string; message: string }
  /** Telegram refuses this message for good: `failed` with the reason; PEER_FLOOD also rests the sender. */
  | { kind: 'fail'; code: string; message: string; pauseSender?: boolean }
  /** The sender's session or bot is gone: `failed`, and the sender turns revoked. */
  | { kind: 'revoked'; code: string; message: string; error: TelegramSessionRevokedError }
  /**
   * The sender's secret cannot be opened (Vault away, its transit key unusable, the cipher
   * misconfigured) or Telegram's API credentials are missing: `waiting` with the reason, looked at
   * again every PARK_RECHECK_MS until it is mended; not a failed attempt, never `failed`.
   */
  | { kind: 'park'; code: ParkReason; message: string }
  /** Timeouts, Telegram unavailable, a busy session: retried with backoff up to SEND_MAX_ATTEMPTS. */
  | { kind: 'retry'; code: string; message: string };

/** Why a message is parked (`waiting` with this `error.code`) until an operator mends something. */
export type ParkReason = 'secrets_unavailable' | 'telegram_not_configured';
export const PARK_REASONS: readonly ParkReason[] = ['secrets_unavailable', 'telegram_not_configured'];
/** How often a parked message is looked at again. */
export const PARK_RECHECK_MS = 5000;

/** Telegram's reasons that end a message (method/messages.sendMessage.html and friends). */
const FINAL_REASONS: Record<string, string> = {
  CHAT_WRITE_FORBIDDEN: 'The sender may not write in this chat',
  CHAT_ADMIN_REQUIRED: 'The sender must be an admin of this chat to post here',
  CHANNEL_PRIVATE: 'The sender cannot reach this channel (private, or not a member)',
  CHANNEL_INVALID: 'Telegram does not know this channel for the sender',
  PEER_ID_INVALID: 'Telegram does not know this chat for the sender',
  USER_BANNED_IN_CHANNEL: 'The sender is banned from sending in this chat',
  MESSAGE_TOO_LONG: 'The message is longer than Telegram allows',
  MEDIA_CAPTION_TOO_LONG: 'The caption is longer than Telegram allows',
  MESSAGE_EMPTY: 'The message is empty',
  CHAT_RESTRICTED: 'This chat is restricted and cannot be written to',
  USER_IS_BLOCKED: 'The user blocked the sender',
  IMAGE_PROCESS_FAILED: 'Telegram could not process the photo',
  PEER_FLOOD: 'Telegram limits this sender for spam (PEER_FLOOD); it rests before sending again',
};

export function failureOutcome(error: unknown): FailureOutcome {
  if (error instanceof TelegramFloodWaitError) {
    const code = error.waitKind === 'slowmode' ? 'slowmode_wait' : 'flood_wait';
    const reason = `${error.waitKind === 'slowmode' ? 'SLOWMODE_WAIT' : 'FLOOD_WAIT'}_${error.seconds}`;
    return {
      kind: 'wait',
      seconds: error.seconds,
      waitKind: error.waitKind,
      code,
      message: `Telegram asked to wait (${reason})`,
    };
  }
  if (error instanceof TelegramSessionRevokedError) {
    return { kind: 'revoked', code: 'sender_revoked', message: error.message, error };
  }
  if (error instanceof TelegramRejectedError) {
    const known = FINAL_REASONS[error.reason];
    return {
      kind: 'fail',
      code: error.reason.toLowerCase(),
      message: known ?? error.message,
      ...(error.reason === 'PEER_FLOOD' ? { pauseSender: true } : {}),
    };
  }
  if (
    error instanceof VaultUnavailableError ||
    error instanceof CipherNotConfiguredError ||
    error instanceof SecretDecryptionError ||
    error instanceof VaultSecretNotFoundError
  ) {
    return {
      kind: 'park',
      code: 'secrets_unavailable',
      message: `The sender's secret cannot be opened now (${error.code}); the message waits until the secret store is mended`,
    };
  }
  if (error instanceof TelegramNotConfiguredError || error instanceof TelegramCredentialsMissingError) {
    return {
      kind: 'park',
      code: 'telegram_not_configured',
      message:
        'Telegram API credentials are missing or unusable; the message waits until they are configured',
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      kind: 'retry',
      code: 'dependency_unavailable',
      message: 'The database was unreachable; tried again',
    };
  }
  if (error instanceof TelegramSessionBusyError || error instanceof DependencyUnavailableError) {
    return { kind: 'retry', code: error.code, message: error.message };
  }
  if (error instanceof AppError) return { kind: 'fail', code: error.code, message: error.publicMessage };
  return { kind: 'retry', code: 'internal_error', message: 'Sending failed unexpectedly; it is tried again' };
}

/** Backoff before attempt `attempts + 1`: base × 2^(attempts − 1), capped at 5 minutes. */
export function backoffMs(baseMs: number, attempts: number): number {
  return Math.min(300_000, baseMs * 2 ** Math.max(0, attempts - 1));
}
