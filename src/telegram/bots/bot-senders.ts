import { Injectable } from '@nestjs/common';
import type { SessionRef } from '../gateway/session-run';
import type { SenderSource, SenderStanding } from '../senders/sender-directory';
import type { TelegramSessionRevokedError } from '../telegram.errors';
import { BotSecrets, holdsBotSecret } from './bot-secrets';
import { BotTransitions } from './bot-transitions';
import { BotsRepository } from './bots.repository';

/** The user's active bots as senders (the SenderSource behind BOT_SENDERS). */
@Injectable()
export class BotSenders implements SenderSource {
  constructor(
    private readonly bots: BotsRepository,
    private readonly secrets: BotSecrets,
    private readonly transitions: BotTransitions,
  ) {}

  async standing(userId: number, botId: string): Promise<SenderStanding> {
    const bot = await this.bots.findForUser(userId, botId);
    if (!bot) return 'not_found';
    return bot.isActive && holdsBotSecret(bot.botSession) ? 'ready' : 'inactive';
  }

  async open(userId: number, botId: string): Promise<SessionRef | undefined> {
    const bot = await this.bots.findForUser(userId, botId);
    if (!bot || !bot.isActive || !holdsBotSecret(bot.botSession)) return undefined;
    return { key: bot.id, session: await this.secrets.openSession(userId, bot.botSession) };
  }

  async markRevoked(userId: number, botId: string, error: TelegramSessionRevokedError): Promise<void> {
    const bot = await this.bots.findForUser(userId, botId);
    if (bot?.isActive) await this.transitions.revoked(userId, bot, error.reason, error);
  }
}
