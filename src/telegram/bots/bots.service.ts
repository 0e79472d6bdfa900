import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TelegramGateway } from '../gateway/telegram-gateway';
import {
  TelegramRejectedError,
  TelegramSessionBusyError,
  TelegramSessionRevokedError,
} from '../telegram.errors';
import { holdsBotSecret, BotSecrets } from './bot-secrets';
import { BotTransitions } from './bot-transitions';
import { BotResponseDto, type AddBotDto } from './bots.dto';
import { BotAlreadyAddedError, BotInactiveError, BotNotFoundError } from './bots.errors';
import { BotsRepository } from './bots.repository';
import type { TelegramBotEntity } from './telegram-bot.entity';

/** Telegram's answers that mean the bot's token (and so its sessions) no longer works. */
const TOKEN_GONE = new Set(['ACCESS_TOKEN_EXPIRED', 'ACCESS_TOKEN_INVALID']);

/** The revocation reason of a failed bot call, or undefined when it is another failure. */
function revocationReason(error: unknown): string | undefined {
  if (error instanceof TelegramSessionRevokedError) return error.reason;
  if (error instanceof TelegramRejectedError && TOKEN_GONE.has(error.reason)) return error.reason;
  return undefined;
}

/** The bot id a token names: Telegram's bot tokens start with the bot's user id. */
const botIdOfToken = (token: string): string => token.slice(0, token.indexOf(':'));

/** Bots added by token: logged in through MTProto, stored encrypted, checked, removed. */
@Injectable()
export class BotsService {
  constructor(
    private readonly bots: BotsRepository,
    private readonly secrets: BotSecrets,
    private readonly gateway: TelegramGateway,
    private readonly transitions: BotTransitions,
  ) {}

  list(userId: number, activeOnly: boolean): Promise<BotResponseDto[]> {
    return this.bots
      .listForUser(userId, activeOnly)
      .then((rows) => rows.map((row) => BotResponseDto.from(row)));
  }

  async get(userId: number, id: string): Promise<BotResponseDto> {
    return BotResponseDto.from(await this.owned(userId, id));
  }

  /**
   * Logs in as the bot (auth.importBotAuthorization, DC migration inside GramJS), reads it
   * (users.getUsers self) and stores it with the token and the bot's session each encrypted. The
   * same bot among the caller's active bots is 409 — checked first by the token's bot id (no
   * Telegram call), then by Telegram's answer, then by the unique index.
   */
  async add(userId: number, dto: AddBotDto): Promise<BotResponseDto> {
    if (await this.bots.findActiveByTelegramId(userId, botIdOfToken(dto.bot_token))) {
      throw new BotAlreadyAddedError();
    }
    let run;
    try {
      run = await this.gateway.run(
        { key: `bot-login:${randomUUID()}`, session: '' },
        { keepAlive: false },
        (tg) => tg.importBotAuthorization(dto.bot_token),
      );
    } catch (error) {
      await this.transitions.failed(userId, 'bot_add', error, {
        telegram_bot_id: botIdOfToken(dto.bot_token),
      });
      throw error;
    }
    const info = run.value;
    if (await this.bots.findActiveByTelegramId(userId, info.id)) {
      await this.logOutQuietly(`bot-login:${randomUUID()}`, run.session);
      throw new BotAlreadyAddedError();
    }
    const row = await this.transitions.added(userId, {
      info,
      dcId: run.dcId,
      botToken: await this.secrets.sealToken(userId, dto.bot_token),
      botSession: await this.secrets.sealSession(userId, run.session),
      settings: dto.settings ?? {},
    });
    return BotResponseDto.from(row);
  }

  async updateSettings(
    userId: number,
    id: string,
    settings: Record<string, unknown>,
  ): Promise<BotResponseDto> {
    await this.owned(userId, id);
    return BotResponseDto.from(await this.transitions.settingsUpdated(userId, id, settings));
  }

  /**
   * Proves the bot still works with users.getUsers(self) over its stored session. A token revoked in
   * BotFather (its sessions answer AUTH_KEY_UNREGISTERED; the token ACCESS_TOKEN_EXPIRED) turns the
   * bot `revoked`: inactive, reason in `last_error`, secrets wiped. An inactive bot is 409 at once.
   */
  async check(userId: number, id: string, { leaseWait = true } = {}): Promise<BotResponseDto> {
    const row = await this.owned(userId, id);
    if (!row.isActive || !holdsBotSecret(row.botSession)) throw new BotInactiveError();
    const session = await this.secrets.openSession(userId, row.botSession);
    try {
      const run = await this.gateway.run({ key: row.id, session }, { keepAlive: false, leaseWait }, (tg) =>
        tg.getBotSelf(),
      );
      return BotResponseDto.from(await this.transitions.checked(userId, row.id, run.value));
    } catch (error) {
      const reason = revocationReason(error);
      if (
        reason &&
        (error instanceof TelegramSessionRevokedError || error instanceof TelegramRejectedError)
      ) {
        return BotResponseDto.from(await this.transitions.revoked(userId, row, reason, error));
      }
      // Busy: another replica is using the bot right now; nothing to record.
      if (!(error instanceof TelegramSessionBusyError)) {
        await this.transitions.failed(userId, 'bot_check', error, { bot_id: row.id });
      }
      throw error;
    }
  }

  /**
   * Logs the bot's session out (auth.LogOut), deactivates the bot and wipes both secrets. A session
   * Telegram already ended is just deactivated; Telegram unreachable → 503 and nothing changes.
   */
  async remove(userId: number, id: string): Promise<BotResponseDto> {
    const row = await this.owned(userId, id);
    let loggedOut = false;
    let reason: string | undefined;
    if (row.isActive && holdsBotSecret(row.botSession)) {
      const session = await this.secrets.openSession(userId, row.botSession);
      try {
        await this.gateway.run({ key: row.id, session }, { keepAlive: false }, (tg) => tg.logOut());
        loggedOut = true;
      } catch (error) {
        reason = revocationReason(error);
        if (!reason) {
          await this.transitions.failed(userId, 'bot_remove', error, { bot_id: row.id });
          throw error;
        }
      }
    }
    return BotResponseDto.from(await this.transitions.removed(userId, row, { loggedOut, reason }));
  }

  private async logOutQuietly(key: string, session: string): Promise<void> {
    await this.gateway
      .run({ key, session }, { keepAlive: false }, (tg) => tg.logOut())
      .catch(() => undefined);
  }

  private async owned(userId: number, id: string): Promise<TelegramBotEntity> {
    const row = await this.bots.findForUser(userId, id);
    if (!row) throw new BotNotFoundError();
    return row;
  }
}
