import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { RequiresScope } from '../../common/auth/requires-scope.decorator';
import { AuthUser, CurrentUser } from '../../common/auth/current-user.decorator';
import { ApiEndpoint } from '../../common/http/api-endpoint.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { AddBotChatDto } from './bot-chat.dto';
import {
  ChannelIdParamDto,
  ChannelPageDto,
  ChannelResponseDto,
  ListChannelsQueryDto,
  SyncChannelsDto,
  SyncResultDto,
  UpdateChannelDto,
} from './channels.dto';
import { ChannelsService } from './channels.service';

@ApiEndpoint('telegram-channels')
@Controller('api/v1/telegram/channels')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post('sync')
  @RequiresScope('channels:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sync the channels and groups of a connected account',
    description:
      'Reads every page of messages.getDialogs (100 per page) and channels.getFullChannel where a participant ' +
      'count is missing; keeps channels, supergroups and basic groups with the account’s role and whether it can ' +
      'post. Upserts one row per chat; chats the account left turn inactive when no other sender reaches them. ' +
      '429 `telegram_flood_wait` with Retry-After when Telegram asks to wait midway: nothing is written.',
  })
  @ApiOkResponse({ type: SyncResultDto, description: 'What the sync changed' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The account is not connected (`session_inactive`)',
  })
  sync(@CurrentUser() user: AuthUser, @Body() body: SyncChannelsDto): Promise<SyncResultDto> {
    return this.channels.sync(user.id, body.session_id);
  }

  @Post()
  @RequiresScope('channels:write')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add one chat through a bot',
    description:
      'A bot cannot list its dialogs: `chat` names one (`@username`, `-100<id>` or `-<id>`). The bot looks it up ' +
      'and proves it is there (channels.getParticipant for itself); the chat is stored with the bot as a sender, ' +
      'its role and whether it may post. 422 `bot_not_in_chat` / `chat_not_found`; 404 for another user’s bot.',
  })
  @ApiCreatedResponse({ type: ChannelResponseDto, description: 'The chat with its senders' })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description:
      'The bot is not in that chat (`bot_not_in_chat`), or there is no such chat (`chat_not_found`)',
  })
  add(@CurrentUser() user: AuthUser, @Body() body: AddBotChatDto): Promise<ChannelResponseDto> {
    return this.channels.addThroughBot(user.id, body);
  }

  @Get()
  @RequiresScope('channels:read')
  @ApiOperation({
    summary: "List the caller's channels and groups",
    description: 'By title; `{items, total, page, size, pages}`; each item lists the senders that reach it.',
  })
  @ApiOkResponse({ type: ChannelPageDto, description: 'One page of chats' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListChannelsQueryDto): Promise<ChannelPageDto> {
    return this.channels.list(user.id, query);
  }

  @Get(':id')
  @RequiresScope('channels:read')
  @ApiOperation({
    summary: 'One channel or group of the caller',
    description: 'Read from the database only.',
  })
  @ApiOkResponse({ type: ChannelResponseDto, description: 'The chat with its senders' })
  get(@CurrentUser() user: AuthUser, @Param() params: ChannelIdParamDto): Promise<ChannelResponseDto> {
    return this.channels.get(user.id, params.id);
  }

  @Patch(':id')
  @RequiresScope('channels:write')
  @ApiOperation({
    summary: 'Replace the chat’s settings',
    description: 'A JSON object, at most 16 KiB and 5 levels.',
  })
  @ApiOkResponse({ type: ChannelResponseDto, description: 'The chat with its new settings' })
  update(
    @CurrentUser() user: AuthUser,
    @Param() params: ChannelIdParamDto,
    @Body() body: UpdateChannelDto,
  ): Promise<ChannelResponseDto> {
    return this.channels.updateSettings(user.id, params.id, body.settings);
  }

  @Delete(':id')
  @RequiresScope('channels:write')
  @ApiOperation({
    summary: 'Remove the chat (soft)',
    description:
      'is_active=false for the chat and its senders; Telegram is not called. A later sync that sees it reactivates it.',
  })
  @ApiOkResponse({ type: ChannelResponseDto, description: 'The chat, now inactive' })
  remove(@CurrentUser() user: AuthUser, @Param() params: ChannelIdParamDto): Promise<ChannelResponseDto> {
    return this.channels.remove(user.id, params.id);
  }
}
