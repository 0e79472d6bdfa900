import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { TelegramGateway } from '../gateway/telegram-gateway';
import { TelegramSessionRevokedError } from '../telegram.errors';
import { AccountResponseDto } from './accounts.dto';
import { ImportedSessionRows } from './imported-session-rows';
import { readImportedSession, type SessionFormat } from './session-import-formats';
import type { ImportSessionResponseDto } from './session-import.dto';
import { SessionSecrets } from './session-secrets';
import { SessionTransitions } from './session-transitions';

/** Telegram does not take the session: revoked, logged out, made for another DC, or a bot's. */
export class SessionNotImportableError extends AppError {
  readonly kind = 'unprocessable';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Sessions people already have (Telethon, Pyrogram, GramJS, Telegram Desktop): read by
 * @mtcute/convert, proved by connecting and calling users.getFullUser(self) — nothing is stored
 * before that answers —, then sealed and recorded like a login's session, owned by the caller.
 */
@Injectable()
export class SessionImportService {
  constructor(
    private readonly gateway: TelegramGateway,
    private readonly secrets: SessionSecrets,
    private readonly transitions: SessionTransitions,
    private readonly rows: ImportedSessionRows,
  ) {}

  async import(
    userId: number,
    format: SessionFormat,
    session: string | Buffer,
  ): Promise<ImportSessionResponseDto> {
    const imported = await readImportedSession(format, session);
    const ours = await this.gateway.applicationId();
    const id = randomUUID();
    let run;
    try {
      run = await this.gateway.run({ key: id, session: imported.gramjs }, { keepAlive: false }, (tg) =>
        tg.getFullSelf(),
      );
    } catch (error) {
      if (error instanceof TelegramSessionRevokedError)
        throw new SessionNotImportableError(
          'session_not_authorized',
          `Telegram does not accept this session (${error.reason}): it was logged out or revoked, or belongs to another data centre`,
        );
      throw error;
    }
    if (run.value.isBot)
      throw new SessionNotImportableError(
        'session_is_bot',
        'This is a bot’s session: add bots by token instead',
      );
    const sessionData = await this.secrets.seal(userId, { session: run.session });
    const row = await this.transitions.apply(
      { kind: 'connected', from: 'connected' },
      userId,
      id,
      (tx) => this.rows.insert(tx, userId, id, { sessionData, user: run.value.user, dcId: run.dcId }),
      (stored) => [
        this.transitions.step(userId, 'import_session', 'success', {
          session_id: stored.id,
          phone: stored.phone,
          dc_id: stored.dcId,
          method: 'import',
          format,
        }),
      ],
    );
    return {
      account: AccountResponseDto.from(row),
      format,
      api_id: imported.apiId,
      api_id_matches: imported.apiId === null ? null : imported.apiId === ours,
    };
  }
}
