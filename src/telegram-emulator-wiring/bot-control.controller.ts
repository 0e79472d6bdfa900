import { Body, Controller, HttpCode, Inject, Injectable, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../common/auth/current-user.decorator';
import { NotFoundError } from '../common/errors/app-error';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator';
import type { EmulatorControlPort } from '@integration-service/telegram-emulator';
import { TELEGRAM_EMULATOR_CONTROL } from './emulator.tokens';
import { BotSecrets, holdsBotSecret } from '../telegram/bots/bot-secrets';
import { EmulatorRevokeBotDto, EmulatorRevokeBotResponseDto } from '../telegram/bots/bots.dto';
import { BotNotFoundError } from '../telegram/bots/bots.errors';
import { BotsRepository } from '../telegram/bots/bots.repository';

/** Development only: BotFather's side of the emulator, scoped to the caller's own bots. */
@Injectable()
export class BotEmulatorControlService {
  constructor(
    @Inject(TELEGRAM_EMULATOR_CONTROL) private readonly emulator: EmulatorControlPort | null,
    private readonly bots: BotsRepository,
    private readonly secrets: BotSecrets,
  ) {}

  async revoke(userId: number, botId: string): Promise<EmulatorRevokeBotResponseDto> {
    if (!this.emulator) throw new NotFoundError();
    const row = await this.bots.findForUser(userId, botId);
    if (!row || !holdsBotSecret(row.botToken)) throw new BotNotFoundError();
    const token = await this.secrets.openToken(userId, row.botToken);
    return { revoked: (await this.emulator.revokeBotToken(token)) ?? 0 };
  }
}

/** Registered only with TELEGRAM_EMULATOR=true (never in production). */
@ApiEndpoint('telegram-emulator (development)')
@Controller('api/v1/dev/telegram-emulator/bots')
export class BotEmulatorControlController {
  constructor(private readonly control: BotEmulatorControlService) {}

  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: "Emulator: BotFather revokes the token of one of the caller's bots",
    description:
      'The bot’s tokens seen so far answer ACCESS_TOKEN_EXPIRED and its sessions AUTH_KEY_UNREGISTERED, so ' +
      '`POST /telegram/bots/{bot_id}/check` reports `revoked`. 404 for another user’s bot or one without a token.',
  })
  @ApiOkResponse({ type: EmulatorRevokeBotResponseDto, description: 'How many bot sessions were signed out' })
  revoke(
    @CurrentUser() user: AuthUser,
    @Body() body: EmulatorRevokeBotDto,
  ): Promise<EmulatorRevokeBotResponseDto> {
    return this.control.revoke(user.id, body.bot_id);
  }
}
