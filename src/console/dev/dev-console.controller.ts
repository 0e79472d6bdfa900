import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../../common/auth/public.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { JwtVerifier } from '../../common/auth/jwt-verifier';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TelegramGateway } from '../../telegram/gateway/telegram-gateway';
import { DevConsoleInfoDto, DevTokenResponseDto } from './dev-console.dto';

/** The user the development token is for (the same one `npm start` prints a token for). */
export const DEV_USER_ID = 1;

/**
 * Development only (mounted by DevConsoleModule when NODE_ENV is not production and the Telegram
 * emulator is on): lets the console's "development sign-in" button take a token without a terminal.
 */
@ApiTags('console (development)')
@ApiTooManyRequestsResponse({
  type: ErrorResponseDto,
  description: 'Rate limit of this IP reached (no token: counted per IP); see Retry-After',
})
@SkipThrottle({ health: true })
@Public()
@Controller('api/v1/dev')
export class DevConsoleController {
  constructor(
    private readonly jwt: JwtVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gateway: TelegramGateway,
  ) {}

  @Get('token')
  @ApiOperation({
    summary: 'Development: a bearer token for user 1',
    description:
      'Exists only outside production with the Telegram emulator on and a JWT_SECRET (or the generated one).',
  })
  @ApiOkResponse({ type: DevTokenResponseDto, description: 'A bearer token for user 1' })
  token(): DevTokenResponseDto {
    const lifetime = this.config.jwt.maxLifetimeSeconds;
    return {
      token: this.jwt.sign(DEV_USER_ID, lifetime),
      token_type: 'Bearer',
      user_id: DEV_USER_ID,
      expires_at: new Date(Date.now() + lifetime * 1000).toISOString(),
    };
  }

  @Get('console')
  @ApiOperation({ summary: 'Development: what the console may offer (emulator helpers, token button)' })
  @ApiOkResponse({ type: DevConsoleInfoDto, description: 'The development helpers this service offers' })
  info(): DevConsoleInfoDto {
    const reach = this.gateway.emulator;
    return {
      emulator: this.config.telegram.emulator,
      token_route: true,
      ...(reach ? { emulator_transport: reach.transport } : {}),
      ...(reach?.address ? { emulator_address: reach.address } : {}),
    };
  }
}
