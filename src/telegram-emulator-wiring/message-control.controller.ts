import { Body, Controller, Get, HttpCode, Inject, Injectable, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../common/auth/current-user.decorator';
import { BadRequestError, NotFoundError } from '../common/errors/app-error';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator';
import { AccountsRepository } from '../telegram/accounts/accounts.repository';
import { normalizePhone } from '../telegram/accounts/phone';
import { BotNotFoundError } from '../telegram/bots/bots.errors';
import { BotsRepository } from '../telegram/bots/bots.repository';
import { lookupAccount } from '@integration-service/telegram-emulator';
import type { EmulatorControlPort } from '@integration-service/telegram-emulator';
import { EmulatedChatAccess } from './emulated-chat-access';
import { TELEGRAM_EMULATOR_CONTROL } from './emulator.tokens';
import {
  EmulatorChatMessagesDto,
  EmulatorChatParamsDto,
  EmulatorFloodDto,
  EmulatorFloodResponseDto,
} from './message-control.dto';

/** Development only: arm flood waits on the caller's own senders; read what an emulated chat received. */
@Injectable()
export class MessageEmulatorControlService {
  constructor(
    @Inject(TELEGRAM_EMULATOR_CONTROL) private readonly emulator: EmulatorControlPort | null,
    private readonly accounts: AccountsRepository,
    private readonly bots: BotsRepository,
    private readonly access: EmulatedChatAccess,
  ) {}

  async flood(userId: number, body: EmulatorFloodDto): Promise<EmulatorFloodResponseDto> {
    const world = this.world();
    if ((body.phone === undefined) === (body.bot_id === undefined)) {
      throw new BadRequestError('validation_failed', 'Give exactly one of phone and bot_id');
    }
    if (body.phone !== undefined) {
      const rows = await this.accounts.findHoldingSecretForPhone(userId, normalizePhone(body.phone));
      const account = lookupAccount(body.phone);
      if (rows.length === 0 || !account) {
        throw new NotFoundError('None of your accounts is signed in with this phone');
      }
      await world.floodNext(`account:${account.phone}`, body.seconds);
    } else {
      const row = await this.bots.findForUser(userId, body.bot_id as string);
      if (!row) throw new BotNotFoundError();
      await world.floodNext(`bot:${row.telegramBotId}`, body.seconds);
    }
    return { armed: `FLOOD_WAIT_${body.seconds}` };
  }

  /**
   * What one of the caller's chats received (its owner is one of their accounts): every message. In
   * another chat only what the caller's own accounts and bots sent there; none → 404, as for a chat
   * that does not exist.
   */
  async messages(userId: number, chatId: string): Promise<EmulatorChatMessagesDto> {
    let history = await this.world().chatMessages(chatId);
    if (!(await this.access.ownsChat(userId, chatId))) {
      const own = await this.access.ownSenders(userId);
      const mine = await Promise.all(history.map((m) => own(m.sender)));
      history = history.filter((_m, i) => mine[i]);
      if (history.length === 0) throw new NotFoundError('No such chat among your emulated chats');
    }
    return {
      chat_id: chatId,
      messages: history.map((m) => ({
        id: m.id,
        text: m.text,
        sender: { ...m.sender },
        random_id: m.randomId,
        date: m.date,
        ...(m.media ? { media: { ...m.media } } : {}),
      })),
    };
  }

  private world(): EmulatorControlPort {
    if (!this.emulator) throw new NotFoundError();
    return this.emulator;
  }
}

/** Registered only with TELEGRAM_EMULATOR=true (never in production). */
@ApiEndpoint('telegram-emulator (development)')
@Controller('api/v1/dev/telegram-emulator')
export class MessageEmulatorControlController {
  constructor(private readonly control: MessageEmulatorControlService) {}

  @Post('flood')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Emulator: the next send of one of your accounts or bots answers FLOOD_WAIT_<seconds>',
    description: 'Once. 404 unless the phone is one of your accounts / the bot one of your bots.',
  })
  @ApiOkResponse({ type: EmulatorFloodResponseDto, description: 'The flood wait is armed' })
  flood(@CurrentUser() user: AuthUser, @Body() body: EmulatorFloodDto): Promise<EmulatorFloodResponseDto> {
    return this.control.flood(user.id, body);
  }

  @Get('chats/:chat_id/messages')
  @ApiOperation({
    summary: 'Emulator: every message an emulated chat received, oldest first',
    description:
      'Text, sender, random_id and date of each. All of them in one of your chats (its creator is one of your ' +
      'accounts; a private chat: the user is); elsewhere only what your accounts and bots sent; 404 when that is nothing.',
  })
  @ApiOkResponse({ type: EmulatorChatMessagesDto, description: 'What the chat received' })
  messages(
    @CurrentUser() user: AuthUser,
    @Param() params: EmulatorChatParamsDto,
  ): Promise<EmulatorChatMessagesDto> {
    return this.control.messages(user.id, params.chat_id);
  }
}
