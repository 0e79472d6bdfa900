import { Body, Controller, HttpCode, Inject, Injectable, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../common/auth/current-user.decorator';
import { NotFoundError } from '../common/errors/app-error';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator';
import { AccountsRepository } from '../telegram/accounts/accounts.repository';
import { normalizePhone } from '../telegram/accounts/phone';
import { lookupAccount } from '@integration-service/telegram-emulator';
import { BotNotFoundError } from '../telegram/bots/bots.errors';
import { BotsRepository } from '../telegram/bots/bots.repository';
import { EmulatorAddBotToChatDto, EmulatorAddBotToChatResponseDto } from '../telegram/channels/bot-chat.dto';
import type { EmulatorControlPort } from '@integration-service/telegram-emulator';
import { EmulatedChatAccess } from './emulated-chat-access';
import { TELEGRAM_EMULATOR_CONTROL } from './emulator.tokens';
import {
  EmulatorChatDto,
  EmulatorCreateChatDto,
  EmulatorLeaveChatDto,
  EmulatorLeaveChatResponseDto,
} from '../telegram/channels/channels.dto';

/** Development only: the emulated users' side of their chats, for the caller's own accounts. */
@Injectable()
export class ChatEmulatorControlService {
  constructor(
    @Inject(TELEGRAM_EMULATOR_CONTROL) private readonly emulator: EmulatorControlPort | null,
    private readonly accounts: AccountsRepository,
    private readonly bots: BotsRepository,
    private readonly access: EmulatedChatAccess,
  ) {}

  /**
   * One of the caller's bots joins one of the caller's emulated chats (one whose owner is an account
   * of theirs: its admin invites the bot). Another user's chat is answered as an unknown one.
   */
  async addBot(userId: number, body: EmulatorAddBotToChatDto): Promise<EmulatorAddBotToChatResponseDto> {
    if (!this.emulator) throw new NotFoundError();
    const bot = await this.bots.findForUser(userId, body.bot_id);
    if (!bot?.telegramBotId) throw new BotNotFoundError();
    if (!(await this.access.ownsChat(userId, body.chat_id)))
      throw new NotFoundError('The emulator has no such chat');
    const added = await this.emulator.addBotToChat(body.chat_id, bot.telegramBotId, body.admin ?? false);
    if (!added) throw new NotFoundError('The emulator has no such chat');
    return { added };
  }

  async create(userId: number, body: EmulatorCreateChatDto): Promise<EmulatorChatDto> {
    const control = await this.ownAccount(userId, body.phone);
    const chat = await control.createChat(body.phone, body.type, body.title);
    if (!chat) throw new NotFoundError('None of your accounts is signed in with this phone');
    return { chat_id: chat.chatId, type: chat.kind, title: chat.title };
  }

  async leave(userId: number, body: EmulatorLeaveChatDto): Promise<EmulatorLeaveChatResponseDto> {
    const control = await this.ownAccount(userId, body.phone);
    if (!(await control.leaveChat(body.phone, body.chat_id))) {
      throw new NotFoundError('This user is not in that chat');
    }
    return { left: true };
  }

  private async ownAccount(userId: number, phone: string): Promise<EmulatorControlPort> {
    if (!this.emulator) throw new NotFoundError();
    const rows = await this.accounts.findHoldingSecretForPhone(userId, normalizePhone(phone));
    const account = lookupAccount(phone);
    if (rows.length === 0 || !account)
      throw new NotFoundError('None of your accounts is signed in with this phone');
    return this.emulator;
  }
}

/** Registered only with TELEGRAM_EMULATOR=true (never in production). */
@ApiEndpoint('telegram-emulator (development)')
@Controller('api/v1/dev/telegram-emulator/chats')
export class ChatEmulatorControlController {
  constructor(private readonly control: ChatEmulatorControlService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Emulator: one of your emulated users creates a channel or group',
    description:
      'The user is its creator; it is their newest dialog. 404 unless one of your accounts is that phone.',
  })
  @ApiOkResponse({ type: EmulatorChatDto, description: 'The new chat' })
  create(@CurrentUser() user: AuthUser, @Body() body: EmulatorCreateChatDto): Promise<EmulatorChatDto> {
    return this.control.create(user.id, body);
  }

  @Post('add-bot')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Emulator: one of your bots is added to a chat',
    description:
      'As if a chat admin invited it: a member, or with `admin: true` an admin who may post. Then ' +
      '`POST /api/v1/telegram/channels {bot_id, chat}` finds it there. The chat must be one of yours (its creator ' +
      'is one of your accounts); 404 for another user’s bot or chat, or an unknown chat.',
  })
  @ApiOkResponse({ type: EmulatorAddBotToChatResponseDto, description: 'The bot is in the chat' })
  addBot(
    @CurrentUser() user: AuthUser,
    @Body() body: EmulatorAddBotToChatDto,
  ): Promise<EmulatorAddBotToChatResponseDto> {
    return this.control.addBot(user.id, body);
  }

  @Post('leave')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Emulator: one of your emulated users leaves a chat',
    description: 'It disappears from their dialogs; 404 when they are not in it.',
  })
  @ApiOkResponse({ type: EmulatorLeaveChatResponseDto, description: 'The user left' })
  leave(
    @CurrentUser() user: AuthUser,
    @Body() body: EmulatorLeaveChatDto,
  ): Promise<EmulatorLeaveChatResponseDto> {
    return this.control.leave(user.id, body);
  }
}
