import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/app-error';
import { TelegramGateway } from '../gateway/telegram-gateway';
import { SessionStateError, TelegramSessionRevokedError } from '../telegram.errors';
import { AccountResponseDto } from './accounts.dto';
import { AccountsRepository } from './accounts.repository';
import { AccountMessages } from './login-messages';
import { holdsSecret, SessionSecrets } from './session-secrets';
import { SessionTransitions } from './session-transitions';
import { PENDING_STATUSES, type TelegramSessionEntity } from './telegram-session.entity';

/** A connected account's lifecycle: disconnect (log out) and reconnect. */
@Injectable()
export class AccountLifecycleService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
    private readonly gateway: TelegramGateway,
    private readonly transitions: SessionTransitions,
  ) {}

  /**
   * Logs the session out of Telegram (auth.LogOut), destroys its client, deactivates the row and
   * wipes the ciphertext. A session Telegram already revoked is simply deactivated. When Telegram
   * cannot be reached the row stays as it is (503), so the log-out can be retried.
   */
  async disconnect(userId: number, sessionId: string): Promise<AccountResponseDto> {
    const row = await this.owned(userId, sessionId);
    let loggedOut = false;
    let reason: string | undefined;
    if (row.isActive && holdsSecret(row.sessionData)) {
      try {
        const secret = await this.secrets.open(userId, row.sessionData);
        await this.gateway.run({ key: row.id, session: secret.session }, { keepAlive: false }, (tg) =>
          tg.logOut(),
        );
        loggedOut = true;
      } catch (error) {
        if (!(error instanceof TelegramSessionRevokedError)) {
          await this.transitions.stepFailed(userId, 'disconnect', error, {
            session_id: row.id,
            phone: row.phone,
            dc_id: row.dcId,
          });
          throw error;
        }
        reason = error.reason; // already signed out on Telegram's side
      }
    } else {
      await this.gateway.release(row.id);
    }
    return AccountResponseDto.from(await this.transitions.disconnected(userId, row, { loggedOut, reason }));
  }

  /**
   * Restores the stored session and proves it with users.getUsers(self). A session Telegram revoked
   * (AUTH_KEY_UNREGISTERED, SESSION_REVOKED, USER_DEACTIVATED*) turns `revoked`, AUTH_KEY_DUPLICATED
   * turns `error`: both inactive, ciphertext wiped, the reason in `last_error` — and a later reconnect
   * answers 409 at once instead of trying again. Network trouble is 503 and only notes `last_error`.
   */
  async reconnect(userId: number, sessionId: string): Promise<AccountResponseDto> {
    const row = await this.owned(userId, sessionId);
    if (PENDING_STATUSES.includes(row.status)) {
      throw new SessionStateError('login_pending', AccountMessages.loginPending);
    }
    if (!row.isActive || !holdsSecret(row.sessionData)) {
      throw new SessionStateError('session_inactive', AccountMessages.inactive(row.status, row.lastError));
    }
    const secret = await this.secrets.open(userId, row.sessionData);
    let run;
    try {
      run = await this.gateway.run({ key: row.id, session: secret.session }, { keepAlive: true }, (tg) =>
        tg.getMe(),
      );
    } catch (error) {
      const stored = await this.transitions.reconnectFailed(userId, row, error);
      if (error instanceof TelegramSessionRevokedError && stored) return AccountResponseDto.from(stored);
      throw error;
    }
    const stored = await this.transitions.reconnected(userId, row, {
      user: run.value,
      dcId: run.dcId,
      ...(run.session !== secret.session
        ? { sessionData: await this.secrets.seal(userId, { session: run.session }) }
        : {}),
    });
    return AccountResponseDto.from(stored);
  }

  private async owned(userId: number, sessionId: string): Promise<TelegramSessionEntity> {
    const row = await this.accounts.findForUser(userId, sessionId);
    if (!row) throw new NotFoundError(AccountMessages.noSuchAccount);
    return row;
  }
}
