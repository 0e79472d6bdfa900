import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/app-error';
import { TelegramGateway } from '../gateway/telegram-gateway';
import type { QrOutcome } from '../gateway/telegram-session-handle';
import { LoginExpiredError, SessionStateError, TelegramUnavailableError } from '../telegram.errors';
import type { LoginResponseDto } from './accounts.dto';
import { AccountsRepository } from './accounts.repository';
import { LoginMessages } from './login-messages';
import { PendingLogins, passwordPrompt, successResponse } from './pending-logins';
import { QrRenderer } from './qr-renderer';
import { SessionSecrets } from './session-secrets';
import { SessionTransitions } from './session-transitions';

/**
 * Login by QR code: `GET /qr-code` exports a login token on a new key; each poll asks Telegram again
 * (auth.ExportLoginToken) and answers `pending` with the code to show, `2fa_required` (finished by
 * the phone flow's password step) or `success`.
 */
@Injectable()
export class QrLoginService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
    private readonly gateway: TelegramGateway,
    private readonly logins: PendingLogins,
    private readonly transitions: SessionTransitions,
    private readonly qr: QrRenderer,
  ) {}

  /** GET /telegram/qr-code: a new QR login. The housekeeping delete also proves PostgreSQL answers before Telegram is asked. */
  async start(userId: number): Promise<LoginResponseDto> {
    await this.accounts.deleteExpiredPending(userId, new Date());
    let run;
    try {
      run = await this.gateway.run({ key: `new:${randomUUID()}`, session: '' }, { keepAlive: false }, (tg) =>
        tg.exportLoginToken(),
      );
    } catch (error) {
      await this.transitions.stepFailed(userId, 'qr_export', error, { method: 'qr' }, 'qr');
      throw error;
    }
    const step = run.value;
    if (step.kind !== 'waiting') {
      throw new TelegramUnavailableError(LoginMessages.unexpectedQrAnswer, 'bad_response');
    }
    const row = await this.transitions.qrIssued(userId, {
      id: randomUUID(),
      sessionData: await this.secrets.seal(userId, {
        session: run.session,
        qr_token: step.token.toString('base64url'),
      }),
      dcId: run.dcId,
      loginExpiresAt: this.logins.expiry(),
      qrExpiresAt: step.expiresAt,
    });
    return {
      status: 'pending',
      session_id: row.id,
      message: LoginMessages.qrIssued(row.id),
      qr_code: await this.qr.png(step.token),
      expires_at: step.expiresAt.toISOString(),
    };
  }

  /** GET /telegram/qr-code/{id}: asks Telegram again; `pending` (fresh code), `2fa_required` or `success`. */
  async poll(userId: number, sessionId: string): Promise<LoginResponseDto> {
    const row = await this.accounts.findForUser(userId, sessionId);
    if (!row) throw new NotFoundError(LoginMessages.noSuchQrLogin);
    if (row.loginMethod !== 'qr') throw new SessionStateError('not_a_qr_login', LoginMessages.notAQrLogin);
    if (row.status === 'connected' && row.isActive) return successResponse(row, 'qr');
    if (row.status === '2fa_required') return passwordPrompt(row.id);
    if (row.status !== 'qr_pending') {
      if (row.lastError === 'login_expired') throw new LoginExpiredError(LoginMessages.expired('qr'));
      throw new SessionStateError('login_not_pending', LoginMessages.qrEnded(row.status));
    }
    await this.logins.assertNotExpired(userId, row, 'qr_login');
    const secret = await this.secrets.open(userId, row.sessionData);
    let run;
    try {
      run = await this.gateway.run(
        { key: row.id, session: secret.session },
        { keepAlive: (outcome: QrOutcome) => outcome.kind === 'signed_in' },
        (tg) => tg.exportLoginToken(),
      );
    } catch (error) {
      await this.logins.stepFailed(userId, row, 'qr_login', 'qr', error);
      throw error;
    }
    const step = run.value;

    if (step.kind === 'waiting') {
      const token = step.token.toString('base64url');
      if (token !== secret.qr_token || run.session !== secret.session) {
        await this.transitions.qrRenewed(userId, row, {
          sessionData: await this.secrets.seal(userId, { session: run.session, qr_token: token }),
          dcId: run.dcId,
          qrExpiresAt: step.expiresAt,
        });
      }
      return {
        status: 'pending',
        session_id: row.id,
        message: LoginMessages.qrWaiting,
        qr_code: await this.qr.png(step.token),
        expires_at: step.expiresAt.toISOString(),
      };
    }
    if (step.kind === 'password_needed') {
      await this.transitions.passwordNeeded(
        userId,
        row,
        { sessionData: await this.secrets.seal(userId, { session: run.session }), dcId: run.dcId },
        'qr_login',
      );
      return passwordPrompt(row.id);
    }
    const connected = await this.logins.complete(userId, row, run, step.user, 'qr', (stored) => [
      this.transitions.step(
        userId,
        'qr_login',
        'success',
        { session_id: stored.id, phone: stored.phone, dc_id: stored.dcId, method: 'qr' },
        ['qr', 'success'],
      ),
    ]);
    return successResponse(connected, 'qr', step.user);
  }
}
