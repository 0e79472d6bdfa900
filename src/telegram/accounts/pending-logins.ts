import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { NotFoundError, ValidationFailedError } from '../../common/errors/app-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { RunResult } from '../gateway/telegram-gateway';
import { TelegramGateway } from '../gateway/telegram-gateway';
import type { TelegramUserInfo } from '../gateway/telegram-session-handle';
import {
  LoginExpiredError,
  LoginNotStartedError,
  SessionStateError,
  TelegramRejectedError,
  TelegramSessionRevokedError,
} from '../telegram.errors';
import { AccountResponseDto, type ConnectAccountDto, type LoginResponseDto } from './accounts.dto';
import { AccountsRepository } from './accounts.repository';
import { LoginMessages } from './login-messages';
import type { ReplacedSession } from './login-inputs';
import { SessionSecrets } from './session-secrets';
import { SessionTransitions, type StepRecord } from './session-transitions';
import type { LoginMethod } from './telegram-account-metrics';
import type { TelegramAction } from './telegram-audit';
import {
  PENDING_STATUSES,
  type SessionLoginMethod,
  type TelegramSessionEntity,
} from './telegram-session.entity';

/** Telegram answers after which this login can never finish: it ends (row wiped) with the step. */
const LOGIN_ENDING_REASONS = new Set(['PHONE_CODE_EXPIRED', 'PHONE_NUMBER_UNOCCUPIED']);

/**
 * What the phone-code and QR flows share about a login in progress: finding the row a request
 * continues, its expiry, a failed step, and the end of a successful login (the row connected, older
 * rows of the same Telegram account replaced). Every step starts from the row in PostgreSQL, so the
 * next step may reach another replica or a restarted process.
 */
@Injectable()
export class PendingLogins {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
    private readonly gateway: TelegramGateway,
    private readonly transitions: SessionTransitions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(PendingLogins.name) private readonly logger: PinoLogger,
  ) {}

  /** When a login started now must be finished by. */
  expiry(): Date {
    return new Date(Date.now() + this.config.telegram.loginTtlSeconds * 1000);
  }

  /** The pending login this request continues: by session_id, else the newest for (user, phone). */
  async find(userId: number, phone: string, dto: ConnectAccountDto): Promise<TelegramSessionEntity> {
    if (dto.session_id !== undefined) {
      const row = await this.accounts.findForUser(userId, dto.session_id);
      if (!row) throw new NotFoundError(LoginMessages.noSuchLogin);
      if (!PENDING_STATUSES.includes(row.status)) {
        throw new SessionStateError('login_not_pending', LoginMessages.notPending(row.status));
      }
      if (row.phone !== null && row.phone !== phone) {
        throw new ValidationFailedError([{ field: 'phone', message: LoginMessages.phoneMismatch }]);
      }
      return row;
    }
    const row =
      (await this.accounts.findNewestPending(userId, phone, ['code_sent', '2fa_required'])) ??
      (dto.password !== undefined ? await this.accounts.findNewestQrAwaitingPassword(userId) : null);
    if (!row) throw new LoginNotStartedError(LoginMessages.notStarted);
    return row;
  }

  /** A pending login past TELEGRAM_LOGIN_TTL_SECONDS ends here: row wiped, 410. */
  async assertNotExpired(userId: number, row: TelegramSessionEntity, action: TelegramAction): Promise<void> {
    if (row.loginExpiresAt === null || row.loginExpiresAt.getTime() > Date.now()) return;
    // A pending row is a phone or QR login (an imported session is connected from the start).
    const method = row.loginMethod === 'qr' ? 'qr' : 'phone_code';
    const error = new LoginExpiredError(LoginMessages.expired(method));
    await this.transitions.loginFailed(
      userId,
      row,
      'login_expired',
      this.transitions.failure(
        userId,
        action,
        error,
        { session_id: row.id, phone: row.phone, method },
        method,
      ),
    );
    throw error;
  }

  /**
   * Records a failed step. A wrong code or password keeps the login as it is (the user retries); an
   * expired code, a number without a Telegram account, or a session Telegram no longer knows ends it,
   * in the same transaction as its row.
   */
  async stepFailed(
    userId: number,
    row: TelegramSessionEntity,
    action: TelegramAction,
    method: LoginMethod,
    error: unknown,
  ): Promise<void> {
    const facts = { session_id: row.id, phone: row.phone, dc_id: row.dcId, method: row.loginMethod };
    const ends =
      error instanceof TelegramRejectedError && LOGIN_ENDING_REASONS.has(error.reason)
        ? error.reason
        : error instanceof TelegramSessionRevokedError
          ? error.reason
          : undefined;
    if (ends === undefined) {
      await this.transitions.stepFailed(userId, action, error, facts, method);
      return;
    }
    await this.transitions.loginFailed(
      userId,
      row,
      ends,
      this.transitions.failure(userId, action, error, facts, method),
    );
  }

  /**
   * The login succeeded: the StringSession is encrypted (before the transaction), the row becomes
   * the account's one active row with its audit rows, and the user's older rows of the same Telegram
   * account go in that transaction; their keys are logged out after it, best effort.
   */
  async complete(
    userId: number,
    row: TelegramSessionEntity,
    run: RunResult<unknown>,
    user: TelegramUserInfo,
    method: SessionLoginMethod,
    records: (stored: TelegramSessionEntity) => StepRecord[],
  ): Promise<TelegramSessionEntity> {
    const sessionData = await this.secrets.seal(userId, { session: run.session });
    const { row: connected, replaced } = await this.transitions.connected(
      userId,
      row,
      { sessionData, user, dcId: run.dcId },
      method,
      records,
    );
    await this.logOutReplaced(userId, replaced);
    this.logger.info(
      { session_id: row.id, dc_id: connected.dcId, method, replaced: replaced.length },
      'Telegram account connected',
    );
    return connected;
  }

  private async logOutReplaced(userId: number, replaced: ReplacedSession[]): Promise<void> {
    for (const old of replaced) {
      if (old.isActive) {
        try {
          const secret = await this.secrets.open(userId, old.sessionData);
          await this.gateway.run({ key: old.id, session: secret.session }, { keepAlive: false }, (tg) =>
            tg.logOut(),
          );
        } catch (error) {
          // Best effort: the old row is gone anyway; Telegram lists the old key under the account's devices.
          this.logger.warn(
            { session_id: old.id, reason: (error as { code?: unknown }).code },
            'Could not log out a replaced Telegram session',
          );
        }
      }
      await this.gateway.release(old.id);
    }
  }
}

export function passwordPrompt(sessionId: string): LoginResponseDto {
  return { status: '2fa_required', session_id: sessionId, message: LoginMessages.passwordPrompt };
}

export function successResponse(
  row: TelegramSessionEntity,
  method: Exclude<SessionLoginMethod, 'import'>,
  user?: TelegramUserInfo,
): LoginResponseDto {
  const days = user?.setupPasswordWithinDays;
  return {
    status: 'success',
    session_id: row.id,
    message:
      days === undefined
        ? LoginMessages.connected(method)
        : `${LoginMessages.connected(method)}. ${LoginMessages.setupPasswordRequired(days)}`,
    account: AccountResponseDto.from(row),
  };
}
