import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import QRCode from 'qrcode';
import { NotFoundError, ValidationFailedError } from '../../common/errors/app-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { TelegramUserInfo } from '../gateway/telegram-session-handle';
import { TelegramGateway } from '../gateway/telegram-gateway';
import {
  LoginExpiredError,
  LoginNotStartedError,
  SessionStateError,
  TelegramRejectedError,
  TelegramSessionRevokedError,
  TelegramUnavailableError,
} from '../telegram.errors';
import { AccountResponseDto, ConnectAccountDto, LoginResponseDto } from './accounts.dto';
import { AccountsRepository, WIPED_SESSION_DATA } from './accounts.repository';
import { normalizePhone } from './phone';
import { SessionSecrets, type SessionSecret } from './session-secrets';
import { TelegramAccountMetrics, type LoginMethod } from './telegram-account-metrics';
import { TelegramAudit, type TelegramAction } from './telegram-audit';
import type { SessionMetadata, TelegramSessionEntity } from './telegram-session.entity';

/** What a sign-in step leaves behind: the session as it stands, and whether it is signed in. */
type StepResult =
  | { kind: 'signed_in'; user: TelegramUserInfo; session: string; dcId: number; viaPassword: boolean }
  | { kind: 'password_needed'; session: string; dcId: number; passwordError?: unknown };

type QrStep =
  | { kind: 'waiting'; token: Buffer; expiresAt: Date; session: string; dcId: number }
  | { kind: 'signed_in'; user: TelegramUserInfo; session: string; dcId: number }
  | { kind: 'password_needed'; session: string; dcId: number };

const QR_SCAN_HINT =
  'Open Telegram on your phone → Settings → Devices → Link Desktop Device, and scan this code';

/**
 * Logging in to Telegram over several HTTP requests: phone code (+ 2FA) and QR (+ 2FA). Every step
 * starts from the row in PostgreSQL (the encrypted StringSession and phone code hash), so the next
 * step may reach another replica or a restarted process. Pending rows are `is_active = false`.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
    private readonly gateway: TelegramGateway,
    private readonly audit: TelegramAudit,
    private readonly metrics: TelegramAccountMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(LoginService.name) private readonly logger: PinoLogger,
  ) {}

  /** POST /telegram/connect: phone alone sends a code; with code signs in; with password finishes 2FA. */
  async connect(userId: number, dto: ConnectAccountDto): Promise<LoginResponseDto> {
    const phone = normalizePhone(dto.phone);
    if (dto.code === undefined && dto.password === undefined && dto.session_id === undefined) {
      return this.sendCode(userId, phone);
    }
    const row = await this.pendingLogin(userId, phone, dto);
    const status = row.sessionMetadata.status;
    if (status === 'qr_pending') {
      throw new SessionStateError(
        'qr_login_pending',
        'This QR login waits for its scan: poll GET /api/v1/telegram/qr-code/{session_id}',
      );
    }
    await this.assertNotExpired(userId, row, status === 'code_sent' ? 'sign_in' : 'check_password');
    const secret = await this.secrets.open(userId, row.sessionData);
    if (status === 'code_sent') {
      if (dto.code === undefined) {
        throw new ValidationFailedError([
          { field: 'code', message: 'code is required: a login code was sent to this phone' },
        ]);
      }
      return this.signIn(userId, row, secret, phone, dto.code, dto.password);
    }
    // 2fa_required: the code (if sent again) was already used; only the password matters now.
    if (dto.password === undefined) return this.passwordPrompt(row.id);
    return this.checkPassword(userId, row, secret, dto.password);
  }

  /** GET /telegram/qr-code: a new QR login (auth.ExportLoginToken on a fresh key). */
  async startQr(userId: number): Promise<LoginResponseDto> {
    await this.accounts.deleteExpiredPending(userId, new Date());
    let step: QrStep;
    try {
      step = await this.gateway.run(
        { key: `new:${randomUUID()}`, session: '' },
        { keepAlive: false },
        async (tg) => {
          const out = await tg.exportLoginToken();
          return { ...out, session: tg.save(), dcId: tg.dcId };
        },
      );
    } catch (error) {
      this.metrics.failure('qr', error);
      await this.audit.failed(userId, 'qr_export', error, { method: 'qr' });
      throw error;
    }
    if (step.kind !== 'waiting') {
      throw new TelegramUnavailableError('Telegram answered a new QR login unexpectedly', 'bad_response');
    }
    const loginExpiresAt = this.loginExpiry();
    const row = await this.accounts.create(userId, {
      phone: null,
      isActive: false,
      sessionData: await this.secrets.seal(userId, {
        session: step.session,
        qr_token: step.token.toString('base64url'),
      }),
      sessionMetadata: {
        status: 'qr_pending',
        method: 'qr',
        dc_id: step.dcId,
        login_expires_at: loginExpiresAt.toISOString(),
        qr_expires_at: step.expiresAt.toISOString(),
      },
    });
    this.metrics.attempt('qr', 'qr_issued');
    await this.audit.record(userId, 'qr_export', 'pending', {
      session_id: row.id,
      dc_id: step.dcId,
      method: 'qr',
    });
    return {
      status: 'pending',
      session_id: row.id,
      message: `${QR_SCAN_HINT}; then poll GET /api/v1/telegram/qr-code/${row.id}`,
      qr_code: await qrPng(step.token),
      expires_at: step.expiresAt.toISOString(),
    };
  }

  /** GET /telegram/qr-code/{id}: asks Telegram again; `pending` (fresh code), `2fa_required` or `success`. */
  async pollQr(userId: number, sessionId: string): Promise<LoginResponseDto> {
    const row = await this.accounts.findForUser(userId, sessionId);
    if (!row) throw new NotFoundError('No such QR login');
    const meta = row.sessionMetadata;
    if (meta.method !== 'qr') {
      throw new SessionStateError('not_a_qr_login', 'This session was not started as a QR login');
    }
    if (meta.status === 'connected' && row.isActive) return this.successResponse(row, 'qr');
    if (meta.status === '2fa_required') return this.passwordPrompt(row.id);
    if (meta.status !== 'qr_pending') {
      if (meta.last_error === 'login_expired') throw new LoginExpiredError(expiredMessage('qr'));
      throw new SessionStateError(
        'login_not_pending',
        `This QR login has ended (${meta.status ?? 'unknown'}); start a new one with GET /api/v1/telegram/qr-code`,
      );
    }
    await this.assertNotExpired(userId, row, 'qr_login');
    const secret = await this.secrets.open(userId, row.sessionData);
    let step: QrStep;
    try {
      step = await this.gateway.run(
        { key: row.id, session: secret.session },
        { keepAlive: (result: QrStep) => result.kind === 'signed_in' },
        async (tg) => {
          const out = await tg.exportLoginToken();
          return { ...out, session: tg.save(), dcId: tg.dcId };
        },
      );
    } catch (error) {
      await this.loginStepFailed(userId, row, 'qr_login', 'qr', error);
      throw error;
    }

    if (step.kind === 'waiting') {
      const token = step.token.toString('base64url');
      if (token !== secret.qr_token || step.session !== secret.session) {
        await this.accounts.update(userId, row.id, {
          sessionData: await this.secrets.seal(userId, { session: step.session, qr_token: token }),
          sessionMetadata: { ...meta, dc_id: step.dcId, qr_expires_at: step.expiresAt.toISOString() },
        });
      }
      return {
        status: 'pending',
        session_id: row.id,
        message: `Waiting for the scan. ${QR_SCAN_HINT}`,
        qr_code: await qrPng(step.token),
        expires_at: step.expiresAt.toISOString(),
      };
    }
    if (step.kind === 'password_needed') {
      await this.accounts.update(userId, row.id, {
        sessionData: await this.secrets.seal(userId, { session: step.session }),
        sessionMetadata: { ...meta, status: '2fa_required', dc_id: step.dcId, qr_expires_at: undefined },
      });
      this.metrics.attempt('qr', '2fa_required');
      await this.audit.record(userId, 'qr_login', 'pending', {
        session_id: row.id,
        dc_id: step.dcId,
        method: 'qr',
        outcome: '2fa_required',
      });
      return this.passwordPrompt(row.id);
    }
    const connected = await this.completeLogin(userId, row, step.session, step.user, step.dcId, 'qr');
    this.metrics.attempt('qr', 'success');
    await this.audit.record(userId, 'qr_login', 'success', {
      session_id: row.id,
      phone: connected.phone,
      dc_id: step.dcId,
      method: 'qr',
    });
    return this.successResponse(connected, 'qr');
  }

  // --- phone code ------------------------------------------------------------------------------------

  private async sendCode(userId: number, phone: string): Promise<LoginResponseDto> {
    let sent: { phoneCodeHash: string; viaApp: boolean; session: string; dcId: number };
    try {
      sent = await this.gateway.run(
        { key: `new:${randomUUID()}`, session: '' },
        { keepAlive: false },
        async (tg) => {
          const code = await tg.sendCode(phone);
          return { ...code, session: tg.save(), dcId: tg.dcId };
        },
      );
    } catch (error) {
      this.metrics.failure('phone_code', error);
      await this.audit.failed(userId, 'send_code', error, { phone, method: 'phone_code' });
      throw error;
    }
    // A new code supersedes this phone's unfinished logins.
    await this.accounts.deletePendingForPhone(userId, phone);
    const loginExpiresAt = this.loginExpiry();
    const row = await this.accounts.create(userId, {
      phone,
      isActive: false,
      sessionData: await this.secrets.seal(userId, {
        session: sent.session,
        phone_code_hash: sent.phoneCodeHash,
      }),
      sessionMetadata: {
        status: 'code_sent',
        method: 'phone_code',
        dc_id: sent.dcId,
        code_via_app: sent.viaApp,
        login_expires_at: loginExpiresAt.toISOString(),
      },
    });
    this.metrics.attempt('phone_code', 'code_sent');
    await this.audit.record(userId, 'send_code', 'success', {
      session_id: row.id,
      phone,
      dc_id: sent.dcId,
      method: 'phone_code',
    });
    this.logger.info({ session_id: row.id, dc_id: sent.dcId }, 'Telegram login code sent');
    return {
      status: 'code_required',
      session_id: row.id,
      message: sent.viaApp
        ? 'A login code was sent to this number in the Telegram app; send it as `code` with the phone'
        : 'A login code was sent to this number by SMS; send it as `code` with the phone',
      expires_at: loginExpiresAt.toISOString(),
    };
  }

  private async signIn(
    userId: number,
    row: TelegramSessionEntity,
    secret: SessionSecret,
    phone: string,
    code: string,
    password: string | undefined,
  ): Promise<LoginResponseDto> {
    if (!secret.phone_code_hash) {
      throw new SessionStateError('login_not_pending', 'This login holds no code request; start again');
    }
    const hash = secret.phone_code_hash;
    let step: StepResult;
    try {
      step = await this.gateway.run(
        { key: row.id, session: secret.session },
        { keepAlive: (result: StepResult) => result.kind === 'signed_in' },
        async (tg): Promise<StepResult> => {
          const out = await tg.signIn(phone, hash, code);
          if (out.kind === 'signed_in') {
            return { ...out, session: tg.save(), dcId: tg.dcId, viaPassword: false };
          }
          if (password === undefined) return { kind: 'password_needed', session: tg.save(), dcId: tg.dcId };
          // Code and password in one request: finish 2FA on the same client.
          try {
            const user = await tg.checkPassword(password);
            return { kind: 'signed_in', user, session: tg.save(), dcId: tg.dcId, viaPassword: true };
          } catch (error) {
            return { kind: 'password_needed', session: tg.save(), dcId: tg.dcId, passwordError: error };
          }
        },
      );
    } catch (error) {
      await this.loginStepFailed(userId, row, 'sign_in', 'phone_code', error);
      throw error;
    }

    if (step.kind === 'password_needed') {
      await this.accounts.update(userId, row.id, {
        sessionData: await this.secrets.seal(userId, { session: step.session }),
        sessionMetadata: { ...row.sessionMetadata, status: '2fa_required', dc_id: step.dcId },
      });
      this.metrics.attempt('phone_code', '2fa_required');
      await this.audit.record(userId, 'sign_in', 'pending', {
        session_id: row.id,
        phone,
        dc_id: step.dcId,
        method: 'phone_code',
        outcome: '2fa_required',
      });
      if (step.passwordError !== undefined) {
        // The code was right, the password not: the login now waits for the password alone.
        this.metrics.failure('password', step.passwordError);
        await this.audit.failed(userId, 'check_password', step.passwordError, { session_id: row.id, phone });
        throw step.passwordError;
      }
      return this.passwordPrompt(row.id);
    }

    const connected = await this.completeLogin(userId, row, step.session, step.user, step.dcId, 'phone_code');
    this.metrics.attempt('phone_code', step.viaPassword ? '2fa_required' : 'success');
    await this.audit.record(userId, 'sign_in', step.viaPassword ? 'pending' : 'success', {
      session_id: row.id,
      phone,
      dc_id: step.dcId,
      method: 'phone_code',
      ...(step.viaPassword ? { outcome: '2fa_required' } : {}),
    });
    if (step.viaPassword) {
      this.metrics.attempt('password', 'success');
      await this.audit.record(userId, 'check_password', 'success', {
        session_id: row.id,
        phone,
        dc_id: step.dcId,
      });
    }
    return this.successResponse(connected, 'phone_code');
  }

  private async checkPassword(
    userId: number,
    row: TelegramSessionEntity,
    secret: SessionSecret,
    password: string,
  ): Promise<LoginResponseDto> {
    let step: { user: TelegramUserInfo; session: string; dcId: number };
    try {
      step = await this.gateway.run(
        { key: row.id, session: secret.session },
        { keepAlive: true },
        async (tg) => ({ user: await tg.checkPassword(password), session: tg.save(), dcId: tg.dcId }),
      );
    } catch (error) {
      await this.loginStepFailed(userId, row, 'check_password', 'password', error);
      throw error;
    }
    const method = row.sessionMetadata.method ?? 'phone_code';
    const connected = await this.completeLogin(userId, row, step.session, step.user, step.dcId, method);
    this.metrics.attempt('password', 'success');
    await this.audit.record(userId, 'check_password', 'success', {
      session_id: row.id,
      phone: connected.phone,
      dc_id: step.dcId,
      method,
    });
    return this.successResponse(connected, method);
  }

  // --- shared steps ----------------------------------------------------------------------------------

  /** The pending login this request continues: by session_id, else the newest for (user, phone). */
  private async pendingLogin(
    userId: number,
    phone: string,
    dto: ConnectAccountDto,
  ): Promise<TelegramSessionEntity> {
    if (dto.session_id !== undefined) {
      const row = await this.accounts.findForUser(userId, dto.session_id);
      if (!row) throw new NotFoundError('No such login');
      const status = row.sessionMetadata.status;
      if (status !== 'code_sent' && status !== '2fa_required' && status !== 'qr_pending') {
        throw new SessionStateError(
          'login_not_pending',
          `This session is not a login in progress (${status ?? 'unknown'})`,
        );
      }
      if (row.phone !== null && row.phone !== phone) {
        throw new ValidationFailedError([{ field: 'phone', message: 'phone does not match this login' }]);
      }
      return row;
    }
    const row =
      (await this.accounts.findNewestPending(userId, phone, ['code_sent', '2fa_required'])) ??
      (dto.password !== undefined ? await this.accounts.findNewestQrAwaitingPassword(userId) : null);
    if (!row) {
      throw new LoginNotStartedError(
        'No login is in progress for this phone: send {"phone"} alone first to receive a code',
      );
    }
    return row;
  }

  /** A pending login past TELEGRAM_LOGIN_TTL_SECONDS ends here: row wiped, 410. */
  private async assertNotExpired(
    userId: number,
    row: TelegramSessionEntity,
    action: TelegramAction,
  ): Promise<void> {
    const expiresAt = row.sessionMetadata.login_expires_at;
    if (expiresAt === undefined || Date.parse(expiresAt) > Date.now()) return;
    const method = row.sessionMetadata.method ?? 'phone_code';
    const error = new LoginExpiredError(expiredMessage(method));
    await this.endLogin(userId, row, 'login_expired');
    this.metrics.failure(method === 'qr' ? 'qr' : 'phone_code', error);
    await this.audit.failed(userId, action, error, { session_id: row.id, phone: row.phone, method });
    throw error;
  }

  /**
   * Records a failed step. A wrong code or password keeps the login as it is (the user retries); an
   * expired code or a session Telegram no longer knows ends it.
   */
  private async loginStepFailed(
    userId: number,
    row: TelegramSessionEntity,
    action: TelegramAction,
    method: LoginMethod,
    error: unknown,
  ): Promise<void> {
    this.metrics.failure(method, error);
    await this.audit.failed(userId, action, error, {
      session_id: row.id,
      phone: row.phone,
      dc_id: row.sessionMetadata.dc_id,
      method: row.sessionMetadata.method,
    });
    if (error instanceof TelegramRejectedError && error.reason === 'PHONE_CODE_EXPIRED') {
      await this.endLogin(userId, row, 'PHONE_CODE_EXPIRED');
    } else if (error instanceof TelegramSessionRevokedError) {
      await this.endLogin(userId, row, error.reason);
    }
  }

  private async endLogin(userId: number, row: TelegramSessionEntity, reason: string): Promise<void> {
    const now = new Date().toISOString();
    await this.accounts.update(userId, row.id, {
      isActive: false,
      sessionData: WIPED_SESSION_DATA,
      sessionMetadata: { ...row.sessionMetadata, status: 'error', last_error: reason, last_error_at: now },
    });
  }

  /**
   * The login succeeded: the StringSession is encrypted into the row, which becomes the account's one
   * active row; older rows of the same Telegram account (this user) are logged out and removed.
   */
  private async completeLogin(
    userId: number,
    row: TelegramSessionEntity,
    session: string,
    user: TelegramUserInfo,
    dcId: number,
    method: 'phone_code' | 'qr',
  ): Promise<TelegramSessionEntity> {
    const now = new Date().toISOString();
    const metadata: SessionMetadata = {
      status: 'connected',
      method,
      telegram_user_id: user.id,
      username: user.username,
      first_name: user.firstName,
      last_name: user.lastName,
      dc_id: dcId,
      connected_at: now,
      last_connected_at: now,
      last_error: null,
    };
    await this.accounts.update(userId, row.id, {
      phone: user.phone ? normalizePhone(user.phone) : row.phone,
      isActive: true,
      sessionData: await this.secrets.seal(userId, { session }),
      sessionMetadata: metadata,
    });
    const replaced = await this.replaceOlderSessions(userId, row.id, user.id);
    this.logger.info({ session_id: row.id, dc_id: dcId, method, replaced }, 'Telegram account connected');
    const updated = await this.accounts.findForUser(userId, row.id);
    if (!updated) throw new NotFoundError('The session disappeared while connecting');
    return updated;
  }

  private async replaceOlderSessions(
    userId: number,
    keepId: string,
    telegramUserId: string,
  ): Promise<number> {
    const others = await this.accounts.findOthersOfAccount(userId, telegramUserId, keepId);
    for (const old of others) {
      if (old.isActive) {
        try {
          const secret = await this.secrets.open(userId, old.sessionData);
          await this.gateway.run({ key: old.id, session: secret.session }, { keepAlive: false }, (tg) =>
            tg.logOut(),
          );
        } catch (error) {
          // Best effort: the old row goes anyway; Telegram lists the old key under the account's devices.
          this.logger.warn(
            { session_id: old.id, reason: (error as { code?: unknown }).code },
            'Could not log out a replaced Telegram session',
          );
        }
      }
      await this.gateway.release(old.id);
      await this.accounts.delete(userId, old.id);
    }
    return others.length;
  }

  private passwordPrompt(sessionId: string): LoginResponseDto {
    return {
      status: '2fa_required',
      session_id: sessionId,
      message:
        'This account has two-step verification: send the password to POST /api/v1/telegram/connect ' +
        'as {"phone", "password"} (add "session_id" for a QR login)',
    };
  }

  private successResponse(row: TelegramSessionEntity, method: 'phone_code' | 'qr'): LoginResponseDto {
    return {
      status: 'success',
      session_id: row.id,
      message: method === 'qr' ? 'Telegram account connected by QR code' : 'Telegram account connected',
      account: AccountResponseDto.from(row),
    };
  }

  private loginExpiry(): Date {
    return new Date(Date.now() + this.config.telegram.loginTtlSeconds * 1000);
  }
}

function expiredMessage(method: string): string {
  return method === 'qr'
    ? 'This QR login has expired; start a new one with GET /api/v1/telegram/qr-code'
    : 'This login has expired; send the phone number alone to receive a new code';
}

const QR_CACHE_SIZE = 256;
const qrCache = new Map<string, Promise<string>>();

/**
 * The QR code of `tg://login?token=<base64url>`, as base64 PNG. A token lives ~30 s and is polled
 * every few seconds, so its image is kept in a small in-process cache (oldest out first).
 */
function qrPng(token: Buffer): Promise<string> {
  const key = token.toString('base64url');
  let png = qrCache.get(key);
  if (!png) {
    png = QRCode.toBuffer(`tg://login?token=${key}`, {
      type: 'png',
      errorCorrectionLevel: 'M',
      margin: 2,
      width: 256,
    }).then((buffer) => buffer.toString('base64'));
    png.catch(() => qrCache.delete(key));
    qrCache.set(key, png);
    if (qrCache.size > QR_CACHE_SIZE) qrCache.delete(qrCache.keys().next().value as string);
  }
  return png;
}
