import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiEndpoint } from '../../common/http/api-endpoint.decorator';
import { AuthUser, CurrentUser } from '../../common/auth/current-user.decorator';
import { AccountResponseDto, ListAccountsQueryDto } from './accounts.dto';
import { AccountsService } from './accounts.service';

@ApiEndpoint('telegram-accounts')
@Controller('api/v1/telegram/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @ApiOperation({
    summary: "List the caller's Telegram accounts",
    description: 'Newest first. Never returns session data.',
  })
  @ApiOkResponse({ type: [AccountResponseDto] })
  list(@CurrentUser() user: AuthUser, @Query() query: ListAccountsQueryDto): Promise<AccountResponseDto[]> {
    return this.accounts.list(user.id, query.active_only ?? true);
  }
}
