import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { visibleToApiKey } from '../../common/auth/api-key-authorization';
import { RequiresScope } from '../../common/auth/requires-scope.decorator';
import { AuthUser, CurrentUser } from '../../common/auth/current-user.decorator';
import { ApiEndpoint } from '../../common/http/api-endpoint.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { AccountResponseDto, ListAccountsQueryDto, SessionIdParamDto } from './accounts.dto';
import { AccountLifecycleService } from './account-lifecycle.service';
import { AccountsService } from './accounts.service';
import { ImportSessionDto, ImportSessionResponseDto } from './session-import.dto';
import { readImportInput } from './session-import-input';
import { SessionImportService } from './session-import.service';

@ApiEndpoint('telegram-accounts')
@Controller('api/v1/telegram/accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly lifecycle: AccountLifecycleService,
    private readonly imports: SessionImportService,
  ) {}

  @Post('import')
  @RequiresScope('accounts:write')
  @ApiOperation({
    summary: 'Import a session made by Telethon, Pyrogram, GramJS or Telegram Desktop',
    description:
      'Read by @mtcute/convert (400 `session_invalid` when it cannot be), then proved by connecting and calling ' +
      'users.getFullUser(self) — nothing is stored before Telegram answers: a revoked, logged-out or foreign-DC ' +
      'session is 422 `session_not_authorized`, a bot’s 422 `session_is_bot`. The phone and profile are Telegram’s; ' +
      'the session is sealed like any login’s and owned by the caller. The account already connected ' +
      'here → 409 `account_already_connected`. JSON `{format, session}`, or multipart/form-data with `format` and ' +
      'the file `session` (a zip of the tdata folder). `api_id_matches` says whether the session was made with ' +
      'this service’s application id, when the format records it.',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: ImportSessionDto })
  @ApiCreatedResponse({ type: ImportSessionResponseDto, description: 'The imported account, connected' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'This Telegram account is already connected for the caller (`account_already_connected`)',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description:
      'Telegram does not accept the session (`session_not_authorized`), or it is a bot’s (`session_is_bot`)',
  })
  async import(
    @CurrentUser() user: AuthUser,
    @Req() request: FastifyRequest,
  ): Promise<ImportSessionResponseDto> {
    const input = await readImportInput(request);
    return this.imports.import(user.id, input.format, input.session);
  }

  @Get()
  @RequiresScope('accounts:read')
  @ApiOperation({
    summary: "List the caller's Telegram accounts",
    description:
      'Newest first. Never returns session data. `active_only=false` adds ended sessions and logins in progress.',
  })
  @ApiOkResponse({ type: [AccountResponseDto], description: 'The caller’s accounts, newest first' })
  async list(
    @CurrentUser() user: AuthUser,
    @Query() query: ListAccountsQueryDto,
  ): Promise<AccountResponseDto[]> {
    return visibleToApiKey(
      user.apiKey,
      'account',
      await this.accounts.list(user.id, query.active_only ?? true),
    );
  }

  @Get(':session_id')
  @RequiresScope('accounts:read')
  @ApiOperation({
    summary: 'One Telegram account (or login in progress) of the caller',
    description: 'Read from the database only; `session_metadata.status` tells its state.',
  })
  @ApiOkResponse({ type: AccountResponseDto, description: 'The account' })
  get(@CurrentUser() user: AuthUser, @Param() params: SessionIdParamDto): Promise<AccountResponseDto> {
    return this.accounts.get(user.id, params.session_id);
  }

  @Delete(':session_id')
  @RequiresScope('accounts:write')
  @ApiOperation({
    summary: 'Disconnect: log out of Telegram and deactivate',
    description:
      'Sends auth.LogOut, closes the client, sets is_active=false and wipes the stored session. A session ' +
      'Telegram already revoked is just deactivated; a login in progress is cancelled. Repeating it is harmless. ' +
      '503 when Telegram cannot be reached (nothing changes; retry).',
  })
  @ApiOkResponse({ type: AccountResponseDto, description: 'The account, now `disconnected`' })
  disconnect(@CurrentUser() user: AuthUser, @Param() params: SessionIdParamDto): Promise<AccountResponseDto> {
    return this.lifecycle.disconnect(user.id, params.session_id);
  }

  @Post(':session_id/reconnect')
  @RequiresScope('accounts:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reconnect from the stored session and prove it works',
    description:
      'Restores the encrypted session and calls users.getUsers(self). 200 with `status: connected`; or, when ' +
      'Telegram revoked the session, 200 with `status: revoked` (AUTH_KEY_DUPLICATED: `error`), is_active=false and ' +
      'the reason in `last_error`. A revoked or disconnected session answers 409 `session_inactive` without ' +
      'calling Telegram again. 503 when Telegram cannot be reached.',
  })
  @ApiOkResponse({
    type: AccountResponseDto,
    description: 'The account after the check: `connected`, or `revoked` when Telegram ended the session',
  })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Inactive session (`session_inactive`) or login in progress (`login_pending`)',
  })
  reconnect(@CurrentUser() user: AuthUser, @Param() params: SessionIdParamDto): Promise<AccountResponseDto> {
    return this.lifecycle.reconnect(user.id, params.session_id);
  }
}
