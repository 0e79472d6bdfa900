import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AppError, NotFoundError } from '../../common/errors/app-error';
import { TelegramGateway } from '../gateway/telegram-gateway';
import { SessionStateError, TelegramSessionRevokedError } from '../telegram.errors';
import { AccountResponseDto } from './accounts.dto';
import { AccountsRepository, WIPED_SESSION_DATA } from './accounts.repository';
import { normalizePhone } from './phone';
import { holdsSecret, SessionSecrets } from './session-secrets';
import { TelegramAudit } from './telegram-audit';
import { PENDING_STATUSES, type TelegramSessionEntity } from './telegram-session.entity';

/** The caller's Telegram accounts: list, read, disconnect (log out) and reconnect. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
    private readonly gateway: TelegramGateway,
    private readonly audit: TelegramAudit,
    @InjectPinoLogger(AccountsService.name) private readonly logger: PinoLogger,
  ) {}

  async list(userId: number, activeOnly: boolean): Promise<AccountResponseDto[]> {
    const rows = await this.accounts.listForUser(userId, activeOnly);
    return rows.map((row) => AccountResponseDto.from(row));
  }

  async get(userId: number, sessionId: string): Promise<AccountResponseDto> {
    return AccountResponseDto.from(await this.owned(userId, sessionId));
  }

  /**
   * Logs the session out of Telegram (auth.LogOut), destroys its client, deactivates the row and
   * wipes the ciphertext. A session Telegram already revoked is simply deactivated. When Telegram
   * cannot be reached the row stays as it is (503), so the log-out can be retried.
   */
  async disconnect(userId: number, sessionId: string): Promise<AccountResponseDto> {
    const row = await this.owned(userId, sessionId);
    const facts = { session_id: row.id, phone: row.phone, dc_id: row.sessionMetadata.dc_id };
    let loggedOut = false;
    let reason: string | undefined;
    const signedIn = row.isActive && holdsSecret(row.sessionData);
    if (signedIn) {
      try {
        const secret = await this.secrets.open(userId, row.sessionData);
        await this.gateway.run({ key: row.id, session: secret.session }, { keepAlive: false }, (tg) =>
          tg.logOut(),
        );
        loggedOut = true;
      } catch (error) {
        if (!(error instanceof TelegramSessionRevokedError)) {
          await this.audit.failed(userId, 'disconnect', error, facts);
          throw error;
        }
        reason = error.reason; // already signed out on Telegram's side
      }
    } else {
      await this.gateway.release(row.id);
    }
    const wasPending = PENDING_STATUSES.includes(row.sessionMetadata.status ?? 'error');
    await this.accounts.update(userId, row.id, {
      isActive: false,
      sessionData: WIPED_SESSION_DATA,
      sessionMetadata: {
        ...row.sessionMetadata,
        status: 'disconnected',
        disconnected_at: new Date().toISOString(),
        login_expires_at: undefined,
        qr_expires_at: undefined,
        ...(reason ? { last_error: reason } : {}),
      },
    });
    await this.audit.record(userId, 'disconnect', 'success', {
      ...facts,
      logged_out: loggedOut,
      ...(wasPending ? { cancelled_login: true } : {}),
      ...(reason ? { reason } : {}),
    });
    return AccountResponseDto.from(await this.owned(userId, sessionId));
  }

  /**
   * Restores the stored session and proves it with users.getUsers(self). A session Telegram revoked
   * (AUTH_KEY_UNREGISTERED, SESSION_REVOKED, USER_DEACTIVATED*) turns `revoked`, AUTH_KEY_DUPLICATED
   * turns `error`: both inactive, ciphertext wiped, the reason in `last_error` — and a later reconnect
   * answers 409 at once instead of trying again. Network trouble is 503 and changes nothing.
   */
  async reconnect(userId: number, sessionId: string): Promise<AccountResponseDto> {
    const row = await this.owned(userId, sessionId);
    const meta = row.sessionMetadata;
    if (PENDING_STATUSES.includes(meta.status ?? 'error')) {
      throw new SessionStateError(
        'login_pending',
        'This login is not finished: continue it with POST /api/v1/telegram/connect (or poll the QR login)',
      );
    }
    if (!row.isActive || !holdsSecret(row.sessionData)) {
      throw new SessionStateError(
        'session_inactive',
        `This session is ${meta.status ?? 'inactive'}${meta.last_error ? ` (${meta.last_error})` : ''}: ` +
          'it cannot be reconnected; log in again',
      );
    }
    const facts = { session_id: row.id, phone: row.phone, dc_id: meta.dc_id };
    const secret = await this.secrets.open(userId, row.sessionData);
    let result;
    try {
      result = await this.gateway.run(
        { key: row.id, session: secret.session },
        { keepAlive: true },
        async (tg) => ({
          user: await tg.getMe(),
          session: tg.save(),
          dcId: tg.dcId,
        }),
      );
    } catch (error) {
      await this.audit.failed(userId, 'reconnect', error, facts);
      const now = new Date().toISOString();
      if (error instanceof TelegramSessionRevokedError) {
        await this.accounts.update(userId, row.id, {
          isActive: false,
          sessionData: WIPED_SESSION_DATA,
          sessionMetadata: {
            ...meta,
            status: error.duplicated ? 'error' : 'revoked',
            last_error: error.reason,
            last_error_at: now,
            ...(error.duplicated ? {} : { revoked_at: now }),
          },
        });
        this.logger.warn({ session_id: row.id, reason: error.reason }, 'Telegram session is no longer valid');
        return AccountResponseDto.from(await this.owned(userId, sessionId));
      }
      if (error instanceof AppError) {
        await this.accounts.update(userId, row.id, {
          sessionMetadata: { ...meta, last_error: error.code, last_error_at: now },
        });
      }
      throw error;
    }
    const now = new Date().toISOString();
    await this.accounts.update(userId, row.id, {
      phone: result.user.phone ? normalizePhone(result.user.phone) : row.phone,
      ...(result.session !== secret.session
        ? { sessionData: await this.secrets.seal(userId, { session: result.session }) }
        : {}),
      sessionMetadata: {
        ...meta,
        status: 'connected',
        telegram_user_id: result.user.id,
        username: result.user.username,
        first_name: result.user.firstName,
        last_name: result.user.lastName,
        dc_id: result.dcId,
        last_connected_at: now,
        last_error: null,
      },
    });
    await this.audit.record(userId, 'reconnect', 'success', { ...facts, dc_id: result.dcId });
    return AccountResponseDto.from(await this.owned(userId, sessionId));
  }

  private async owned(userId: number, sessionId: string): Promise<TelegramSessionEntity> {
    const row = await this.accounts.findForUser(userId, sessionId);
    if (!row) throw new NotFoundError('No such Telegram account');
    return row;
  }
}
