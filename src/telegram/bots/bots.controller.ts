import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { visibleToApiKey } from '../../common/auth/api-key-authorization';
import { RequiresScope } from '../../common/auth/requires-scope.decorator';
import { AuthUser, CurrentUser } from '../../common/auth/current-user.decorator';
import { ApiEndpoint } from '../../common/http/api-endpoint.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { AddBotDto, BotIdParamDto, BotResponseDto, ListBotsQueryDto, UpdateBotDto } from './bots.dto';
import { BotsService } from './bots.service';

@ApiEndpoint('telegram-bots')
@Controller('api/v1/telegram/bots')
export class BotsController {
  constructor(private readonly bots: BotsService) {}

  @Post()
  @RequiresScope('bots:write')
  @ApiOperation({
    summary: 'Add a bot by its BotFather token',
    description:
      'The token’s shape is checked first (400 without calling Telegram). Then the service logs in as the bot ' +
      '(auth.importBotAuthorization) and reads it (users.getUsers self): the username comes from Telegram. The ' +
      'token and the bot’s session are stored encrypted and never returned. 400 `bot_token_invalid` when Telegram ' +
      'does not know the token (`bot_token_revoked` when it was revoked); 409 `bot_already_added`.',
  })
  @ApiCreatedResponse({ type: BotResponseDto, description: 'The bot, without any secret' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'The caller already has this bot (`bot_already_added`)',
  })
  add(@CurrentUser() user: AuthUser, @Body() body: AddBotDto): Promise<BotResponseDto> {
    return this.bots.add(user.id, body);
  }

  @Get()
  @RequiresScope('bots:read')
  @ApiOperation({
    summary: "List the caller's bots",
    description: 'Newest first; `active_only` defaults to true.',
  })
  @ApiOkResponse({ type: [BotResponseDto], description: 'The caller’s bots' })
  async list(@CurrentUser() user: AuthUser, @Query() query: ListBotsQueryDto): Promise<BotResponseDto[]> {
    return visibleToApiKey(user.apiKey, 'bot', await this.bots.list(user.id, query.active_only ?? true));
  }

  @Get(':bot_id')
  @RequiresScope('bots:read')
  @ApiOperation({ summary: 'One bot of the caller', description: 'Read from the database only.' })
  @ApiOkResponse({ type: BotResponseDto, description: 'The bot' })
  get(@CurrentUser() user: AuthUser, @Param() params: BotIdParamDto): Promise<BotResponseDto> {
    return this.bots.get(user.id, params.bot_id);
  }

  @Patch(':bot_id')
  @RequiresScope('bots:write')
  @ApiOperation({
    summary: 'Replace the bot’s settings',
    description: '`settings` is a JSON object of at most 16 KiB and 5 levels; it replaces the stored one.',
  })
  @ApiOkResponse({ type: BotResponseDto, description: 'The bot with its new settings' })
  update(
    @CurrentUser() user: AuthUser,
    @Param() params: BotIdParamDto,
    @Body() body: UpdateBotDto,
  ): Promise<BotResponseDto> {
    return this.bots.updateSettings(user.id, params.bot_id, body.settings);
  }

  @Delete(':bot_id')
  @RequiresScope('bots:write')
  @ApiOperation({
    summary: 'Remove the bot: log its session out, wipe its secrets, deactivate',
    description:
      'auth.LogOut on the bot’s session, then is_active=false, `status: removed` and both secrets wiped. A bot ' +
      'Telegram already revoked is just deactivated. 503 when Telegram cannot be reached (nothing changes).',
  })
  @ApiOkResponse({ type: BotResponseDto, description: 'The bot, now inactive' })
  remove(@CurrentUser() user: AuthUser, @Param() params: BotIdParamDto): Promise<BotResponseDto> {
    return this.bots.remove(user.id, params.bot_id);
  }

  @Post(':bot_id/check')
  @RequiresScope('bots:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Prove the bot still works',
    description:
      'users.getUsers(self) over the stored bot session. 200 `status: active`; or, when the token was revoked in ' +
      'BotFather, 200 `status: revoked`, is_active=false, the reason in `last_error`. An inactive bot is 409 ' +
      '`bot_inactive` without calling Telegram.',
  })
  @ApiOkResponse({ type: BotResponseDto, description: 'The bot after the check: `active` or `revoked`' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The bot is inactive (`bot_inactive`)' })
  check(@CurrentUser() user: AuthUser, @Param() params: BotIdParamDto): Promise<BotResponseDto> {
    return this.bots.check(user.id, params.bot_id);
  }
}
