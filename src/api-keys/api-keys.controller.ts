import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../common/auth/current-user.decorator';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator';
import { ErrorResponseDto } from '../common/http/error-response.dto';
import { ApiKeyIdParamDto, ApiKeyResponseDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-keys.dto';
import { ApiKeysService } from './api-keys.service';

/** The user's API keys. These routes take the user's own token only: keys cannot make keys. */
@ApiEndpoint('api-keys')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Make a scoped API key for a server-side caller',
    description:
      'The key is in this answer only (stored as its SHA-256; it cannot be read again). Use it as ' +
      '`X-API-Key: isk_…` or `Authorization: Bearer isk_…`. It may call the routes whose `x-required-scope` ' +
      'it holds (403 `api_key_scope_missing` naming the scope otherwise) and, with `account_ids` / `bot_ids`, ' +
      'only those accounts and bots (403 `api_key_resource_forbidden`). Expired or revoked: 401. JWT only.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto, description: 'The key, shown once' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: 'Too many live keys (`api_key_limit_reached`)',
  })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.keys.create(user.id, body);
  }

  @Get()
  @ApiOperation({
    summary: 'The caller’s live API keys',
    description: 'Never the keys themselves. JWT only.',
  })
  @ApiOkResponse({ type: [ApiKeyResponseDto], description: 'Newest first' })
  list(@CurrentUser() user: AuthUser): Promise<ApiKeyResponseDto[]> {
    return this.keys.list(user.id);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'Every replica refuses it (401) within a second. JWT only.',
  })
  @ApiOkResponse({ type: ApiKeyResponseDto, description: 'The key, now revoked' })
  revoke(@CurrentUser() user: AuthUser, @Param() params: ApiKeyIdParamDto): Promise<ApiKeyResponseDto> {
    return this.keys.revoke(user.id, params.id);
  }
}
