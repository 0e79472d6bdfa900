import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { visibleToApiKey } from '../../common/auth/api-key-authorization';
import { RequiresScope } from '../../common/auth/requires-scope.decorator';
import { AuthUser, CurrentUser } from '../../common/auth/current-user.decorator';
import { ApiEndpoint } from '../../common/http/api-endpoint.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { AccountResponseDto, ListAccountsQueryDto, SessionIdParamDto } from './accounts.dto';
import { AccountLifecycleService } from './account-lifecycle.service';
import { AccountsService } from './accounts.service';

@ApiEndpoint('telegram-accounts')
@Controller('api/v1/telegram/accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly lifecycle: AccountLifecycleService,
  ) {}

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
