import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ValidationFailedError } from '../../common/errors/app-error';
import { TelegramGateway } from '../gateway/telegram-gateway';
import type {
  SentCodeInfo,
  SignInOutcome,
  TelegramSessionHandle,
  TelegramUserInfo,
} from '../gateway/telegram-session-handle';
import {
  CodeResendTooEarlyError,
  EmailSetupRequiredError,
  SessionStateError,
  TelegramAuthRestartError,
  TelegramRejectedError,
} from '../telegram.errors';
import type { ConnectAccountDto, LoginResponseDto } from './accounts.dto';
import { AccountsRepository } from './accounts.repository';
import { LoginMessages } from './login-messages';
import { PendingLogins, passwordPrompt, successResponse } from './pending-logins';
import { normalizePhone } from './phone';
import { SessionSecrets, type SessionSecret } from './session-secrets';
import { SessionTransitions } from './session-transitions';
import type { TelegramSessionEntity } from './telegram-session.entity';

/** What the sign-in step got from Telegram. */
type SignInStep =
  | { kind: 'signed_in'; user: TelegramUserInfo; viaPassword: boolean }
  | { kind: 'password_needed'; passwordError?: unknown }
  /** Telegram answered AUTH_RESTART: the login was started again on the same key (a new code sent). */
  | { kind: 'restarted'; sent: SentCodeInfo };

/**
 * Login by phone code over several HTTP requests: `{phone}` sends a code, `{phone, code}` signs in,
 * `{phone, password}` finishes 2FA (also for a QR login waiting for its password). Between steps
 * the StringSession and the phone code hash are kept only encrypted in the row (is_active = false).
 */
@Injectable()
export class PhoneLoginService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
    private readonly gateway: TelegramGateway,
    private readonly logins: PendingLogins,
    private readonly transitions: SessionTransitions,
    @InjectPinoLogger(PhoneLoginService.name) private readonly logger: PinoLogger,
  ) {}

  /** POST /telegram/connect: phone alone sends a code; with code signs in; with password finishes 2FA. */
  async connect(userId: number, dto: ConnectAccountDto): Promise<LoginResponseDto> {
    const phone = normalizePhone(dto.phone);
    if (dto.resend === true) return this.resendCode(userId, phone, dto);
    if (dto.code === undefined && dto.password === undefined && dto.session_id === undefined) {
      return this.sendCode(userId, phone);
    }
    const row = await this.logins.find(userId, phone, dto);
    if (row.status === 'qr_pending')
      throw new SessionStateError('qr_login_pending', LoginMessages.qrPendingScan);
    await this.logins.assertNotExpired(
      userId,
      row,
      row.status === 'code_sent' ? 'sign_in' : 'check_password',
    );
    const secret = await this.secrets.open(userId, row.sessionData);
    if (row.status === 'code_sent') {
      if (dto.code === undefined) {
        throw new ValidationFailedError([{ field: 'code', message: LoginMessages.codeRequired }]);
      }
      return this.signIn(userId, row, secret, phone, dto.code, dto.password);
    }
    // 2fa_required: the code (if sent again) was already used; only the password matters now.
    if (dto.password === undefined) return passwordPrompt(row.id);
    return this.checkPassword(userId, row, secret, dto.password);
  }

  /**
   * auth.SendCode on a new key. PostgreSQL is asked first: when it is down the answer is 503 and
   * Telegram sends nothing (a code nobody can use is SMS spam and a flood-wait risk).
   */
  private async sendCode(userId: number, phone: string): Promise<LoginResponseDto> {
    await this.accounts.assertReachable();
    let sent;
    try {
      sent = await this.gateway.run({ key: `new:${randomUUID()}`, session: '' }, { keepAlive: false }, (tg) =>
        tg.sendCode(phone),
      );
      // No code was sent: the account must set up a login email in a Telegram app first.
      if (sent.value.type === 'email_setup_required') throw new EmailSetupRequiredError();
    } catch (error) {
      await this.transitions.stepFailed(
        userId,
        'send_code',
        error,
        { phone, method: 'phone_code' },
        'phone_code',
      );
      throw error;
    }
    const { state, stored } = await this.sealCode(userId, sent.session, sent.dcId, sent.value);
    const row = await this.transitions.codeSent(userId, {
      id: randomUUID(),
      phone,
      ...stored,
      loginExpiresAt: this.logins.expiry(),
    });
    this.logger.info({ session_id: row.id, dc_id: row.dcId }, 'Telegram login code sent');
    return codeRequired(row, state);
  }

  /**
   * `{phone, resend: true}`: auth.ResendCode on the pending login's own key, by the `next_type`
   * Telegram announced, not before its `timeout` (429 until then).
   */
  private async resendCode(userId: number, phone: string, dto: ConnectAccountDto): Promise<LoginResponseDto> {
    if (dto.code !== undefined || dto.password !== undefined) {
      throw new ValidationFailedError([{ field: 'resend', message: LoginMessages.resendNeedsNoCode }]);
    }
    const row = await this.logins.find(userId, phone, dto);
    if (row.status !== 'code_sent')
      throw new SessionStateError('login_not_pending', LoginMessages.resendNotPending);
    await this.logins.assertNotExpired(userId, row, 'resend_code');
    const secret = await this.secrets.open(userId, row.sessionData);
    const hash = secret.phone_code_hash;
    if (!hash) throw new SessionStateError('login_not_pending', LoginMessages.noCodeRequest);
    const waitMs = secret.resend_after ? Date.parse(secret.resend_after) - Date.now() : 0;
    if (waitMs > 0) throw new CodeResendTooEarlyError(waitMs / 1000);
    let sent;
    try {
      sent = await this.gateway.run({ key: row.id, session: secret.session }, { keepAlive: false }, (tg) =>
        tg.resendCode(phone, hash),
      );
    } catch (error) {
      await this.logins.stepFailed(userId, row, 'resend_code', 'phone_code', error);
      throw error;
    }
    const { state, stored } = await this.sealCode(userId, sent.session, sent.dcId, sent.value);
    const updated = await this.transitions.codeResent(userId, row, { ...stored, codeType: sent.value.type });
    return codeRequired(updated, state);
  }

  private async signIn(
    userId: number,
    row: TelegramSessionEntity,
    secret: SessionSecret,
    phone: string,
    code: string,
    password: string | undefined,
  ): Promise<LoginResponseDto> {
    const hash = secret.phone_code_hash;
    if (!hash) throw new SessionStateError('login_not_pending', LoginMessages.noCodeRequest);
    let run;
    try {
      run = await this.gateway.run(
        { key: row.id, session: secret.session },
        { keepAlive: (step: SignInStep) => step.kind === 'signed_in' },
        async (tg): Promise<SignInStep> => {
          const out = await signInOrRestart(tg, phone, hash, code);
          if (out.kind === 'restarted') return out;
          if (out.kind === 'signed_in') return { kind: 'signed_in', user: out.user, viaPassword: false };
          if (password === undefined) return { kind: 'password_needed' };
          // Code and password in one request: finish 2FA on the same client.
          try {
            return { kind: 'signed_in', user: await tg.checkPassword(password), viaPassword: true };
          } catch (error) {
            return { kind: 'password_needed', passwordError: error };
          }
        },
      );
    } catch (error) {
      await this.logins.stepFailed(userId, row, 'sign_in', 'phone_code', error);
      throw error;
    }
    const step = run.value;

    if (step.kind === 'restarted') {
      // AUTH_RESTART: the old code is void; the login goes on with the new one (code_required again).
      const { state, stored } = await this.sealCode(userId, run.session, run.dcId, step.sent);
      const restarted = await this.transitions.codeResent(
        userId,
        row,
        { ...stored, codeType: step.sent.type },
        'sign_in',
      );
      const answer = codeRequired(restarted, state);
      return { ...answer, message: `${LoginMessages.loginRestarted} ${answer.message}` };
    }

    if (step.kind === 'password_needed') {
      // The code was right; when the password sent with it was not, the login now waits for the password alone.
      const failed = step.passwordError;
      await this.transitions.passwordNeeded(
        userId,
        row,
        { sessionData: await this.secrets.seal(userId, { session: run.session }), dcId: run.dcId },
        'sign_in',
        failed === undefined
          ? []
          : [
              this.transitions.failure(
                userId,
                'check_password',
                failed,
                { session_id: row.id, phone },
                'password',
              ),
            ],
      );
      if (failed !== undefined) throw failed;
      return passwordPrompt(row.id);
    }

    const viaPassword = step.viaPassword;
    const connected = await this.logins.complete(userId, row, run, step.user, 'phone_code', (stored) => [
      this.transitions.step(
        userId,
        'sign_in',
        viaPassword ? 'pending' : 'success',
        {
          session_id: stored.id,
          phone,
          dc_id: stored.dcId,
          method: 'phone_code',
          ...(viaPassword ? { outcome: '2fa_required' } : {}),
        },
        ['phone_code', viaPassword ? '2fa_required' : 'success'],
      ),
      ...(viaPassword
        ? [
            this.transitions.step(
              userId,
              'check_password',
              'success',
              { session_id: stored.id, phone, dc_id: stored.dcId },
              ['password', 'success'],
            ),
          ]
        : []),
    ]);
    return successResponse(connected, 'phone_code', step.user);
  }

  private async checkPassword(
    userId: number,
    row: TelegramSessionEntity,
    secret: SessionSecret,
    password: string,
  ): Promise<LoginResponseDto> {
    let run;
    try {
      run = await this.gateway.run({ key: row.id, session: secret.session }, { keepAlive: true }, (tg) =>
        tg.checkPassword(password),
      );
    } catch (error) {
      await this.logins.stepFailed(userId, row, 'check_password', 'password', error);
      throw error;
    }
    const method = row.loginMethod === 'qr' ? 'qr' : 'phone_code';
    const connected = await this.logins.complete(userId, row, run, run.value, method, (stored) => [
      this.transitions.step(
        userId,
        'check_password',
        'success',
        { session_id: stored.id, phone: stored.phone, dc_id: stored.dcId, method },
        ['password', 'success'],
      ),
    ]);
    return successResponse(connected, method, run.value);
  }
  /** A sent code as the row keeps it: the sealed secret (session, code hash, resend state), its DC, how it came. */
  private async sealCode(userId: number, session: string, dcId: number, sent: SentCodeInfo) {
    const state = codeState(sent);
    const sessionData = await this.secrets.seal(userId, {
      session,
      phone_code_hash: sent.phoneCodeHash,
      ...state,
    });
    return { state, stored: { sessionData, dcId, codeViaApp: sent.type === 'app' } };
  }
}

/** What the sealed secret keeps of a sent code, for the next resend. */
function codeState(sent: SentCodeInfo): Pick<SessionSecret, 'code_type' | 'next_code_type' | 'resend_after'> {
  return {
    code_type: sent.type,
    next_code_type: sent.nextType,
    resend_after: resendAfter(sent),
  };
}

function resendAfter(sent: SentCodeInfo): string | null {
  if (sent.nextType === null) return null;
  return new Date(Date.now() + (sent.timeoutSeconds ?? 0) * 1000).toISOString();
}

function codeRequired(row: TelegramSessionEntity, state: ReturnType<typeof codeState>): LoginResponseDto {
  const type = state.code_type ?? 'unknown';
  return {
    status: 'code_required',
    session_id: row.id,
    message: LoginMessages.codeSent(type),
    expires_at: row.loginExpiresAt?.toISOString(),
    code_type: type,
    next_code_type: state.next_code_type ?? null,
    resend_after: state.resend_after ?? null,
  };
}

/**
 * auth.SignIn; on AUTH_RESTART ("restart the authorization process", method/auth.signIn) the login is
 * started again at once: auth.SendCode on the same key, once (a second AUTH_RESTART is bounded there).
 */
async function signInOrRestart(
  tg: TelegramSessionHandle,
  phone: string,
  hash: string,
  code: string,
): Promise<SignInOutcome | { kind: 'restarted'; sent: SentCodeInfo }> {
  try {
    return await signInOrResume(tg, phone, hash, code);
  } catch (error) {
    if (!(error instanceof TelegramAuthRestartError)) throw error;
    return { kind: 'restarted', sent: await tg.sendCode(phone) };
  }
}

/**
 * auth.SignIn — or, when Telegram says the code is spent (PHONE_CODE_EXPIRED) but this very key is
 * signed in, the sign-in of an earlier request whose commit was lost: Telegram spent the code on it.
 * Only this service holds the key, so a signed-in key here is that sign-in; resume it.
 */
async function signInOrResume(
  tg: TelegramSessionHandle,
  phone: string,
  hash: string,
  code: string,
): Promise<SignInOutcome> {
  try {
    return await tg.signIn(phone, hash, code);
  } catch (error) {
    if (!(error instanceof TelegramRejectedError && error.reason === 'PHONE_CODE_EXPIRED')) throw error;
    let user: TelegramUserInfo;
    try {
      user = await tg.getMe();
    } catch {
      throw error;
    }
    return { kind: 'signed_in', user };
  }
}
