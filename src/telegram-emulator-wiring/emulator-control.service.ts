import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/app-error';
import { AccountsRepository } from '../telegram/accounts/accounts.repository';
import { normalizePhone } from '../telegram/accounts/phone';
import { SessionSecrets } from '../telegram/accounts/session-secrets';
import { telegramRejection } from '../telegram/gateway/telegram-error-mapping';
import { SessionStateError } from '../telegram/telegram.errors';
import type { EmulatorControlPort } from '@integration-service/telegram-emulator';
import { EmulatorControlError } from '@integration-service/telegram-emulator';
import type {
  EmulatorForgetKeyResponseDto,
  EmulatorMigrateUserResponseDto,
  EmulatorRevokeResponseDto,
  EmulatorScanQrResponseDto,
} from './emulator-control.dto';
import { TELEGRAM_EMULATOR_CONTROL } from './emulator.tokens';

/** How a refused scan is worded for the developer; the kind and code are Telegram's (telegramRejection). */
const SCAN_FAILURE_MESSAGES: Record<string, string> = {
  AUTH_TOKEN_EXPIRED: 'The QR code shown has expired; poll the QR login for a fresh one, then scan again',
  AUTH_TOKEN_ALREADY_ACCEPTED: 'This QR code was already scanned',
  AUTH_TOKEN_INVALID: 'The emulator does not know this QR code',
  PHONE_NUMBER_INVALID: 'No emulated Telegram user has this phone (use 99966XYYYY, X = DC 1–3)',
};

/** Development only (TelegramEmulatorModule): plays the other side of Telegram for a newcomer or a test. */
@Injectable()
export class EmulatorControlService {
  constructor(
    @Inject(TELEGRAM_EMULATOR_CONTROL) private readonly emulator: EmulatorControlPort,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
  ) {}

  /**
   * The emulated user `phone` ends the sessions that the caller's own accounts hold with them (as
   * if terminated in their Telegram app); another user's sessions with that phone stay as they are.
   */
  async revoke(
    userId: number,
    phone: string,
    reason: 'AUTH_KEY_UNREGISTERED' | 'SESSION_REVOKED' = 'AUTH_KEY_UNREGISTERED',
  ): Promise<EmulatorRevokeResponseDto> {
    const sessions = await this.ownSessions(userId, phone);
    return { revoked: await this.emulator.revokeSessions(sessions, phone, reason) };
  }

  /**
   * The DC forgets the auth keys of the caller's own sessions with `phone` (Telegram lost them): every
   * request on them answers the transport error −404 from now on.
   */
  async forgetKey(userId: number, phone: string): Promise<EmulatorForgetKeyResponseDto> {
    const sessions = await this.ownSessions(userId, phone);
    return { forgotten: await this.emulator.forgetKeys(phone, sessions) };
  }

  /** The user's home DC moves to `dc` (only for a phone one of the caller's accounts is signed in with). */
  async migrateUser(userId: number, phone: string, dc: number): Promise<EmulatorMigrateUserResponseDto> {
    await this.ownSessions(userId, phone);
    if (!(await this.emulator.migrateUser(phone, dc))) throw new NotFoundError('No such emulated user or DC');
    return { dc };
  }

  private async ownSessions(userId: number, phone: string): Promise<string[]> {
    const rows = await this.accounts.findHoldingSecretForPhone(userId, normalizePhone(phone));
    if (rows.length === 0) throw new NotFoundError('None of your accounts is signed in with this phone');
    return Promise.all(rows.map(async (row) => (await this.secrets.open(userId, row.sessionData)).session));
  }

  /** The emulated user `phone` scans the QR code of the caller's own pending QR login. */
  async scanQr(userId: number, sessionId: string, phone: string): Promise<EmulatorScanQrResponseDto> {
    const row = await this.accounts.findForUser(userId, sessionId);
    if (!row) throw new NotFoundError('No such QR login');
    if (row.status !== 'qr_pending') {
      throw new SessionStateError(
        'qr_login_not_pending',
        'This session is not a QR login waiting for its scan',
      );
    }
    const secret = await this.secrets.open(userId, row.sessionData);
    if (!secret.qr_token) throw new SessionStateError('qr_login_not_pending', 'This QR login holds no token');
    try {
      await this.emulator.scanQrToken(secret.qr_token, phone);
    } catch (error) {
      const message = error instanceof EmulatorControlError ? SCAN_FAILURE_MESSAGES[error.reason] : undefined;
      const rejection = message
        ? telegramRejection((error as EmulatorControlError).reason, message)
        : undefined;
      throw rejection ?? error;
    }
    return {
      status: 'scanned',
      session_id: row.id,
      message:
        'The emulated user scanned the QR code; poll GET /api/v1/telegram/qr-code/{session_id} to finish',
    };
  }
}
