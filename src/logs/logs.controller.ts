import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RequiresScope } from '../common/auth/requires-scope.decorator';
import { AuthUser, CurrentUser } from '../common/auth/current-user.decorator';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator';
import { ErrorStatsDto, LogsPageDto, LogsQueryDto, StatsQueryDto } from './logs.dto';
import { LogsService } from './logs.service';

@ApiEndpoint('logs')
@Controller('api/v1/telegram')
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @Get('logs')
  @RequiresScope('logs:read')
  @ApiOperation({
    summary: "The caller's integration audit log",
    description:
      'Newest first. Page with `page`/`size`, or walk with `cursor` (pass the previous `next_cursor`), ' +
      'which stays fast at any depth.',
  })
  @ApiOkResponse({ type: LogsPageDto, description: 'One page of the caller’s audit log, newest first' })
  list(@CurrentUser() user: AuthUser, @Query() query: LogsQueryDto): Promise<LogsPageDto> {
    return this.logs.page(user.id, query);
  }

  @Get('stats/errors')
  @RequiresScope('logs:read')
  @ApiOperation({ summary: "Error statistics of the caller's integration actions over a period" })
  @ApiOkResponse({ type: ErrorStatsDto, description: 'The caller’s error counts over the window' })
  errorStats(@CurrentUser() user: AuthUser, @Query() query: StatsQueryDto): Promise<ErrorStatsDto> {
    return this.logs.errorStats(user.id, query);
  }
}
