import {
  AppError,
  ConflictError,
  DependencyUnavailableError,
  RateLimitedError,
  type ErrorKind,
} from '../common/errors/app-error';

/**
 * Domain errors of the Telegram features. The gateway turns GramJS errors into these in one place
 * (gateway/telegram-error-mapping.ts); services throw the login-flow ones; the global filter maps them all.
 * Messages are fixed texts: never a phone, code, password, token or session string.
 */

/** Telegram refused the request because of what the caller sent (bad phone, code, password...). */
export class TelegramRejectedError extends AppError {
  constructor(
    /** `invalid` (400), `gone` (410), `conflict` (409) or `unprocessable` (422), per Telegram's reason. */
    readonly kind: ErrorKind,
    /** Lower-case reason, e.g. `phone_code_invalid`. */
    readonly code: string,
    message: string,
    /** Telegram's own error text, e.g. `PHONE_CODE_INVALID` (safe: a fixed constant). */
    readonly reason: string,
  ) {
    super(message);
    this.details.reason = reason;
  }
}

/** FLOOD_WAIT_N: Telegram asks us to wait N seconds; answered 429 with `Retry-After: N`. */
export class TelegramFloodWaitError extends RateLimitedError {
  constructor(
    readonly seconds: number,
    /** `slowmode`: SLOWMODE_WAIT_N (the chat's slow mode), else FLOOD_WAIT_N. */
    readonly waitKind: 'flood' | 'slowmode' = 'flood',
  ) {
    super(
      seconds,
      'telegram_flood_wait',
      `Telegram asks to wait ${Math.max(1, Math.ceil(seconds))} seconds before trying again`,
    );
  }
}

/**
 * PHONE_NUMBER_FLOOD: Telegram refuses more login codes for this number for now, without saying for
 * how long (method/auth.sendCode); answered 429 with a cautious Retry-After of an hour.
 */
export class TelegramPhoneNumberFloodError extends RateLimitedError {
  static readonly RETRY_AFTER_SECONDS = 3600;
  constructor() {
    super(
      TelegramPhoneNumberFloodError.RETRY_AFTER_SECONDS,
      'phone_number_flood',
      'Telegram refuses more login codes for this phone number for now; try again later',
    );
    this.details.reason = 'PHONE_NUMBER_FLOOD';
  }
}

/** Telegram could not be reached, did not answer in time, or failed on its side. */
export class TelegramUnavailableError extends DependencyUnavailableError {
  constructor(
    message: string,
    /** Short machine-readable cause: `timeout`, `network`, `server_error`. */
    readonly reason: string,
  ) {
    super('telegram', message);
    this.details.reason = reason;
  }
}

/**
 * 500 AUTH_RESTART (method/auth.sendCode, auth.signIn): "restart the authorization process". GramJS does
 * not retry it (RPCMessageToError makes a plain RPCError of it); the login flow does, boundedly. Should
 * it escape, it is a 503 like any failure on Telegram's side.
 */
export class TelegramAuthRestartError extends TelegramUnavailableError {
  constructor() {
    super('Telegram asked to restart the login and kept asking; try again shortly', 'auth_restart');
  }
}

/** No Telegram API credentials (TELEGRAM_API_ID/HASH or the Vault KV secret): the Telegram routes answer 503. */
export class TelegramNotConfiguredError extends AppError {
  readonly kind = 'unavailable';
  readonly code = 'telegram_not_configured';
  constructor(message: string) {
    super(message);
    this.retryAfterSeconds = 60;
    this.details.dependency = 'telegram';
  }
}

/** Reasons Telegram gives when a session's authorization is gone for good. */
export const REVOKED_REASONS = [
  'AUTH_KEY_UNREGISTERED',
  'SESSION_REVOKED',
  'SESSION_EXPIRED',
  'USER_DEACTIVATED',
  'USER_DEACTIVATED_BAN',
] as const;

/** The stored session no longer works: revoked on Telegram's side, or its key was duplicated. */
export class TelegramSessionRevokedError extends AppError {
  readonly kind = 'conflict';
  readonly code: string;
  constructor(
    /** `AUTH_KEY_UNREGISTERED`, `SESSION_REVOKED`, `USER_DEACTIVATED*`, `AUTH_KEY_DUPLICATED`, `auth_key_unknown` (−404)... */
    readonly reason: string,
  ) {
    super(
      reason === 'AUTH_KEY_DUPLICATED'
        ? 'The Telegram session was used from two connections at once and is no longer valid; log in again'
        : reason === 'auth_key_unknown'
          ? 'Telegram no longer knows this session’s authorization key; log in again'
          : 'The Telegram session is no longer authorized (revoked on Telegram); log in again',
    );
    this.code = reason === 'AUTH_KEY_DUPLICATED' ? 'telegram_session_duplicated' : 'telegram_session_revoked';
    this.details.reason = reason;
  }

  get duplicated(): boolean {
    return this.reason === 'AUTH_KEY_DUPLICATED';
  }
}

/** SESSION_PASSWORD_NEEDED: a step of the login flow, not a failure; services turn it into `2fa_required`. */
export class TelegramPasswordNeededError extends AppError {
  readonly kind = 'conflict';
  readonly code = 'password_required';
  constructor() {
    super('This Telegram account has two-step verification: send the password');
  }
}

/** Another request is using this session right now (one client per session at a time). */
export class TelegramSessionBusyError extends ConflictError {
  constructor(retryAfterSeconds = 1) {
    super('telegram_session_busy', 'Another request is using this Telegram session; try again shortly');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** There is no login in progress to continue with this request. */
export class LoginNotStartedError extends ConflictError {
  constructor(message: string) {
    super('login_not_started', message);
  }
}

/** The pending login outlived TELEGRAM_LOGIN_TTL_SECONDS (or Telegram expired its code). */
export class LoginExpiredError extends AppError {
  readonly kind = 'gone';
  readonly code = 'login_expired';
  constructor(message = 'This login has expired; start again') {
    super(message);
  }
}

/** The session cannot be used for this action in its current state (e.g. reconnect after revoke). */
export class SessionStateError extends ConflictError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/**
 * Telegram answered auth.sentCodeTypeSetUpEmailRequired: the account must first set up a login email
 * in a Telegram app; no code was sent, so this login cannot finish here (422).
 */
export class EmailSetupRequiredError extends AppError {
  readonly kind = 'unprocessable';
  readonly code = 'email_setup_required';
  constructor() {
    super(
      'Telegram requires this account to set up a login email first: finish logging in once in a ' +
        'Telegram app, then try again',
    );
    this.details.reason = 'SENT_CODE_TYPE_SETUP_EMAIL_REQUIRED';
  }
}

/** `{phone, resend: true}` before the `resend_after` Telegram announced: 429 with Retry-After. */
export class CodeResendTooEarlyError extends RateLimitedError {
  constructor(seconds: number) {
    super(
      seconds,
      'code_resend_too_early',
      `Telegram allows resending the code in ${Math.max(1, Math.ceil(seconds))} seconds`,
    );
  }
}
