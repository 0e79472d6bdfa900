import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/app-error';
import { EmulatorControlError, type TelegramEmulator } from '../emulator';
import { TELEGRAM_EMULATOR } from '../gateway/telegram-gateway.module';
import { SessionStateError, TelegramRejectedError } from '../telegram.errors';
import type { EmulatorRevokeResponseDto, EmulatorScanQrResponseDto } from './accounts.dto';
import { AccountsRepository } from './accounts.repository';
import { SessionSecrets } from './session-secrets';

const SCAN_FAILURES: Record<string, { status: number; message: string }> = {
  AUTH_TOKEN_EXPIRED: {
    status: 410,
    message: 'The QR code shown has expired; poll the QR login for a fresh one, then scan again',
  },
  AUTH_TOKEN_ALREADY_ACCEPTED: { status: 409, message: 'This QR code was already scanned' },
  AUTH_TOKEN_INVALID: { status: 400, message: 'The emulator does not know this QR code' },
  PHONE_NUMBER_INVALID: {
    status: 400,
    message: 'No emulated Telegram user has this phone (use 99966XYYYY, X = DC 1–3)',
  },
};

/** Development only (TELEGRAM_EMULATOR=true): plays the other side of Telegram for a newcomer or a test. */
@Injectable()
export class EmulatorControlService {
  constructor(
    @Inject(TELEGRAM_EMULATOR) private readonly emulator: TelegramEmulator | null,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
  ) {}

  revoke(
    phone: string,
    reason: 'AUTH_KEY_UNREGISTERED' | 'SESSION_REVOKED' = 'AUTH_KEY_UNREGISTERED',
  ): EmulatorRevokeResponseDto {
    return { revoked: this.world().revoke(phone, reason) };
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
      this.world().scanQrToken(secret.qr_token, phone);
    } catch (error) {
      const failure = error instanceof EmulatorControlError ? SCAN_FAILURES[error.reason] : undefined;
      if (!failure || !(error instanceof EmulatorControlError)) throw error;
      throw new TelegramRejectedError(
        failure.status,
        error.reason.toLowerCase(),
        failure.message,
        error.reason,
      );
    }
    return {
      status: 'scanned',
      session_id: row.id,
      message:
        'The emulated user scanned the QR code; poll GET /api/v1/telegram/qr-code/{session_id} to finish',
    };
  }

  private world(): TelegramEmulator {
    // The controller exists only with the emulator on; this guards a wiring mistake.
    if (!this.emulator) throw new NotFoundError();
    return this.emulator;
  }
}
