import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiGoneResponse,
  ApiOkResponse,
  ApiOperation,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { RequiresScope } from '../../common/auth/requires-scope.decorator';
import { AuthUser, CurrentUser } from '../../common/auth/current-user.decorator';
import { ApiEndpoint } from '../../common/http/api-endpoint.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { ConnectAccountDto, LoginResponseDto, SessionIdParamDto } from './accounts.dto';
import { PhoneLoginService } from './phone-login.service';
import { QrLoginService } from './qr-login.service';

@ApiEndpoint('telegram-accounts')
@ApiConflictResponse({
  type: ErrorResponseDto,
  description: 'No login in progress (`login_not_pending`), or it is in another state',
})
@ApiGoneResponse({ type: ErrorResponseDto, description: 'The pending login expired (`login_expired`)' })
@Controller('api/v1/telegram')
export class LoginController {
  constructor(
    private readonly phoneLogin: PhoneLoginService,
    private readonly qrLogin: QrLoginService,
  ) {}

  @Post('connect')
  @RequiresScope('accounts:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Connect a Telegram account by phone code (and 2FA password)',
    description:
      '1. `{phone}` → Telegram sends a code → `code_required`. 2. `{phone, code}` → `success`, or `2fa_required`. ' +
      '3. `{phone, password}` (or `{phone, code, password}` at once) → `success`. Each step continues the newest ' +
      'pending login of this user for this phone (or `session_id`), stored encrypted in PostgreSQL, so steps may ' +
      'reach any replica. A wrong code or password keeps the login (retry); pending logins expire after ' +
      'TELEGRAM_LOGIN_TTL_SECONDS (410). Telegram errors: 400 `phone_number_invalid`, `phone_code_invalid`, ' +
      '`phone_code_expired`, `password_hash_invalid`; 422 `phone_number_banned`; 429 with Retry-After on a flood ' +
      'wait; 503 when Telegram cannot be reached or API credentials are missing. Connecting an account again ' +
      'replaces its old session.',
  })
  @ApiBody({
    type: ConnectAccountDto,
    // One step per example: the schema's own example would send code, password and resend at once.
    examples: {
      send_code: { summary: '1. Ask Telegram for a login code', value: { phone: '+9996621234' } },
      sign_in: { summary: '2. Sign in with the code', value: { phone: '+9996621234', code: '22222' } },
      password: {
        summary: '3. The 2FA password (after `2fa_required`)',
        value: { phone: '+9996622345', password: 'emulator-2fa' },
      },
      resend: { summary: 'Send the code again', value: { phone: '+9996621234', resend: true } },
    },
  })
  @ApiOkResponse({
    type: LoginResponseDto,
    description: 'The login’s next step (`code_required`, `2fa_required`) or `success` with the account',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description:
      'Telegram refuses this phone number (`phone_number_banned`, `phone_number_unoccupied`, `email_setup_required`)',
  })
  connect(@CurrentUser() user: AuthUser, @Body() body: ConnectAccountDto): Promise<LoginResponseDto> {
    return this.phoneLogin.connect(user.id, body);
  }

  @Get('qr-code')
  @RequiresScope('accounts:write')
  @ApiOperation({
    summary: 'Start a QR-code login',
    description:
      'Exports a login token and answers it as a QR code (base64 PNG of `tg://login?token=…`) with `status: pending`, ' +
      'the `session_id` to poll, and `expires_at` of this code (~30 s). Poll GET /api/v1/telegram/qr-code/{session_id} ' +
      'every 2–5 s until `success` or `2fa_required`.',
  })
  @ApiOkResponse({
    type: LoginResponseDto,
    description: 'A pending QR login: the QR code to show and the `session_id` to poll',
  })
  startQr(@CurrentUser() user: AuthUser): Promise<LoginResponseDto> {
    return this.qrLogin.start(user.id);
  }

  @Get('qr-code/:session_id')
  @RequiresScope('accounts:write')
  @ApiOperation({
    summary: 'Poll a QR-code login',
    description:
      'Asks Telegram for the login state. `pending`: not scanned yet — show the returned `qr_code` (renewed when the ' +
      'old one expired). `2fa_required`: send the password to POST /api/v1/telegram/connect with `session_id`. ' +
      '`success`: connected (`account`). 410 `login_expired` once the login outlived TELEGRAM_LOGIN_TTL_SECONDS.',
  })
  @ApiOkResponse({
    type: LoginResponseDto,
    description: 'The QR login’s state: `pending` (with the current code), `2fa_required` or `success`',
  })
  pollQr(@CurrentUser() user: AuthUser, @Param() params: SessionIdParamDto): Promise<LoginResponseDto> {
    return this.qrLogin.poll(user.id, params.session_id);
  }
}
