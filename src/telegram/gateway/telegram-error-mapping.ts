import { errors } from 'telegram';
import { AppError, type ErrorKind } from '../../common/errors/app-error';
import {
  REVOKED_REASONS,
  TelegramAuthRestartError,
  TelegramFloodWaitError,
  TelegramNotConfiguredError,
  TelegramPasswordNeededError,
  TelegramPhoneNumberFloodError,
  TelegramRejectedError,
  TelegramSessionRevokedError,
  TelegramUnavailableError,
} from '../telegram.errors';

/**
 * The one place where GramJS errors become domain errors. GramJS has classes only for flood waits
 * and DC migrations; everything else is an `RPCError` whose `errorMessage` (a fixed upper-case
 * constant such as `PHONE_CODE_INVALID`) and `code` (the HTTP-like class: 400, 401, 406, 420, 500)
 * we match here. Transport failures (GramJS rejects with plain Errors or even strings) and our own
 * timeouts become 503.
 */

/** Our bound on a GramJS call ran out (GramJS itself has none). */
export class TelegramCallTimeoutError extends Error {
  override readonly name = 'TelegramCallTimeoutError';
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`Telegram did not answer ${operation} within ${timeoutMs} ms`);
  }
}

interface Rejection {
  kind: ErrorKind;
  message: string;
  /** Our code when it is not Telegram's reason in lower case. */
  code?: string;
}

/** What the caller sent was wrong, or Telegram refuses it: 4xx with the reason as `code`. */
const REJECTIONS: Record<string, Rejection> = {
  PHONE_NUMBER_INVALID: { kind: 'invalid', message: 'Telegram says the phone number is invalid' },
  PHONE_NUMBER_BANNED: { kind: 'unprocessable', message: 'This phone number is banned from Telegram' },
  PHONE_NUMBER_UNOCCUPIED: {
    kind: 'unprocessable',
    message: 'No Telegram account uses this phone number (signing up is not supported here)',
  },
  PHONE_CODE_INVALID: { kind: 'invalid', message: 'The login code is wrong; check it and try again' },
  PHONE_CODE_EMPTY: { kind: 'invalid', message: 'The login code is missing' },
  PHONE_CODE_EXPIRED: {
    kind: 'invalid',
    message: 'The login code has expired; request a new one by sending the phone number alone',
  },
  SEND_CODE_UNAVAILABLE: {
    kind: 'unprocessable',
    message:
      'Telegram has no other way left to send this code; use the code already sent, or start again later',
  },
  PHONE_CODE_HASH_EMPTY: { kind: 'invalid', message: 'The login was not started; request a code first' },
  PASSWORD_HASH_INVALID: {
    kind: 'invalid',
    message: 'The two-step verification password is wrong; check it and try again',
  },
  PASSWORD_EMPTY: { kind: 'invalid', message: 'The two-step verification password is missing' },
  SRP_ID_INVALID: { kind: 'invalid', message: 'The password check was interrupted; send the password again' },
  SRP_PASSWORD_CHANGED: {
    kind: 'invalid',
    message: 'The two-step verification password was changed meanwhile; send the new one',
  },
  AUTH_TOKEN_EXPIRED: {
    kind: 'gone',
    message: 'The QR login token has expired; poll the QR login for a fresh one',
  },
  AUTH_TOKEN_INVALID: { kind: 'invalid', message: 'The QR login token is not valid' },
  AUTH_TOKEN_ALREADY_ACCEPTED: { kind: 'conflict', message: 'The QR login token was already used' },
  ACCESS_TOKEN_INVALID: {
    kind: 'invalid',
    code: 'bot_token_invalid',
    message: 'Telegram does not accept this bot token; copy it again from BotFather',
  },
  ACCESS_TOKEN_EXPIRED: {
    kind: 'invalid',
    code: 'bot_token_revoked',
    message: 'This bot token was revoked in BotFather; generate a new one',
  },
};

/**
 * The domain error for a Telegram reason that refuses what the caller sent (REJECTIONS), with
 * Telegram's kind and code; `message` replaces the default text (the emulator's control routes
 * word theirs for the developer playing the other side). Undefined for other reasons.
 */
export function telegramRejection(reason: string, message?: string): TelegramRejectedError | undefined {
  const rejection = REJECTIONS[reason];
  if (!rejection) return undefined;
  return new TelegramRejectedError(
    rejection.kind,
    rejection.code ?? reason.toLowerCase(),
    message ?? rejection.message,
    reason,
  );
}

/** Telegram's answers that mean the service's api_id / api_hash are not accepted, and what each means. */
const API_CREDENTIAL_CAUSES: Record<string, string> = {
  API_ID_INVALID: 'Telegram does not accept the API id / hash pair',
  CONNECTION_API_ID_INVALID: 'Telegram does not accept the API id the connection announces',
  API_ID_PUBLISHED_FLOOD: 'Telegram refuses this API id because it was published',
};
const API_CREDENTIAL_ERRORS = new Set(Object.keys(API_CREDENTIAL_CAUSES));

/** 503 telegram_not_configured naming Telegram's reason (details.reason) and what to fix. */
function credentialError(reason: string): TelegramNotConfiguredError {
  const error = new TelegramNotConfiguredError(
    `${API_CREDENTIAL_CAUSES[reason]} (${reason}): check TELEGRAM_API_ID / TELEGRAM_API_HASH`,
  );
  error.details.reason = reason;
  return error;
}
const SERVER_SIDE_ERRORS = new Set(['RPC_CALL_FAIL', 'RPC_MCGET_FAIL', 'TIMEOUT', 'INTERDC_CALL_ERROR']);
const SAFE_REASON = /^[A-Z0-9_]{1,64}$/;

/** Messages and codes of GramJS/socket failures that mean "Telegram cannot be reached". */
const NETWORK_MESSAGES = [
  'Not connected',
  'Cannot send requests while disconnected',
  'Request was unsuccessful',
  'NetSocket was closed',
  'Maximum reconnection retries',
  'Connection closed',
  'WebSocket connection failed',
  'Could not connect',
  'socket hang up',
];
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

function isRevokedReason(reason: string): boolean {
  return (REVOKED_REASONS as readonly string[]).includes(reason) || reason.startsWith('USER_DEACTIVATED');
}

function fromRpcError(error: errors.RPCError): AppError {
  if (
    error instanceof errors.FloodWaitError ||
    error instanceof errors.FloodTestPhoneWaitError ||
    error instanceof errors.SlowModeWaitError
  ) {
    return new TelegramFloodWaitError(
      error.seconds,
      error instanceof errors.SlowModeWaitError ? 'slowmode' : 'flood',
    );
  }
  const reason = SAFE_REASON.test(error.errorMessage ?? '') ? error.errorMessage : 'TELEGRAM_ERROR';
  const status = error.code ?? 0;
  if (reason === 'SESSION_PASSWORD_NEEDED') return new TelegramPasswordNeededError();
  if (reason === 'PHONE_NUMBER_FLOOD') return new TelegramPhoneNumberFloodError();
  if (reason === 'AUTH_RESTART') return new TelegramAuthRestartError();
  if (reason === 'AUTH_KEY_DUPLICATED' || isRevokedReason(reason)) {
    return new TelegramSessionRevokedError(reason);
  }
  const rejection = telegramRejection(reason);
  if (rejection) return rejection;
  if (API_CREDENTIAL_ERRORS.has(reason)) return credentialError(reason);
  if (status === 420) return new TelegramFloodWaitError(60);
  // Telegram answers -503 "Timedout" when its own backend timed out.
  if (Math.abs(status) >= 500 || SERVER_SIDE_ERRORS.has(reason) || error instanceof errors.TimedOutError) {
    return new TelegramUnavailableError('Telegram failed on its side; try again shortly', 'server_error');
  }
  if (status === 401 || reason.startsWith('AUTH_KEY_')) return new TelegramSessionRevokedError(reason);
  if (status === 400) {
    return new TelegramRejectedError(
      'invalid',
      reason.toLowerCase(),
      `Telegram rejected the request (${reason})`,
      reason,
    );
  }
  return new TelegramRejectedError(
    'unprocessable',
    reason.toLowerCase(),
    `Telegram refused the request (${reason})`,
    reason,
  );
}

function isNetworkFailure(error: unknown): boolean {
  if (typeof error === 'string') return true; // GramJS rejects pending requests with bare strings on disconnect
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return NETWORK_MESSAGES.some((m) => error.message.includes(m));
}

/**
 * The domain error for a failure of a GramJS call, or undefined when it is not a Telegram failure at
 * all (a bug of ours: it stays a 500).
 */
export function classifyTelegramError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof TelegramCallTimeoutError) {
    return new TelegramUnavailableError(
      `Telegram did not answer within ${error.timeoutMs} ms; try again shortly`,
      'timeout',
    );
  }
  if (error instanceof errors.RPCError) return fromRpcError(error);
  if (isNetworkFailure(error)) {
    return new TelegramUnavailableError('Telegram cannot be reached right now; try again shortly', 'network');
  }
  return undefined;
}

/** `classifyTelegramError`, or the original error when it is not a Telegram failure. */
export function toDomainError(error: unknown): unknown {
  return classifyTelegramError(error) ?? error;
}

/** True when the client that produced this error must not be reused (transport or authorization broken). */
export function poisonsClient(error: unknown): boolean {
  return (
    error instanceof TelegramUnavailableError ||
    error instanceof TelegramSessionRevokedError ||
    error instanceof TelegramCallTimeoutError ||
    !(error instanceof AppError)
  );
}

/** A call's outcome label in telegram_request_duration_seconds. */
export type Outcome = 'ok' | 'rejected' | 'flood' | 'revoked' | 'unavailable' | 'password_needed' | 'error';

export function outcomeOf(error: unknown): Outcome {
  if (error instanceof TelegramPasswordNeededError) return 'password_needed';
  if (error instanceof TelegramFloodWaitError) return 'flood';
  if (error instanceof TelegramSessionRevokedError) return 'revoked';
  if (error instanceof TelegramUnavailableError) return 'unavailable';
  if (error instanceof TelegramRejectedError) return 'rejected';
  return 'error';
}
