import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../common/auth/current-user.decorator';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator';
import {
  EmulatorForgetKeyDto,
  EmulatorForgetKeyResponseDto,
  EmulatorMigrateUserDto,
  EmulatorMigrateUserResponseDto,
  EmulatorRevokeDto,
  EmulatorRevokeResponseDto,
  EmulatorScanQrDto,
  EmulatorScanQrResponseDto,
} from './emulator-control.dto';
import { EmulatorControlService } from './emulator-control.service';

/** Part of TelegramEmulatorModule, mounted only with TELEGRAM_EMULATOR=true (never in production). */
@ApiEndpoint('telegram-emulator (development)')
@Controller('api/v1/dev/telegram-emulator')
export class EmulatorControlController {
  constructor(private readonly control: EmulatorControlService) {}

  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: "Emulator: an emulated Telegram user ends the caller's sessions with them",
    description:
      'As if the user terminated these sessions in their Telegram app: the requests of the caller’s own ' +
      'accounts signed in with `phone` now fail with `reason` (default AUTH_KEY_UNREGISTERED), and ' +
      'reconnect reports `revoked`. Other users’ sessions are untouched; 404 when the caller has none.',
  })
  @ApiOkResponse({
    type: EmulatorRevokeResponseDto,
    description: 'How many of the caller’s sessions were signed out',
  })
  revoke(@CurrentUser() user: AuthUser, @Body() body: EmulatorRevokeDto): Promise<EmulatorRevokeResponseDto> {
    return this.control.revoke(user.id, body.phone, body.reason);
  }

  @Post('forget-key')
  @HttpCode(200)
  @ApiOperation({
    summary: "Emulator: the DC forgets the auth keys of the caller's sessions with this user",
    description:
      'As when Telegram loses a key: each request on it answers the transport error −404 ("auth key not ' +
      'found", mtproto-transports), which GramJS leaves unanswered; reconnect then reports the account ' +
      '`revoked` with reason `auth_key_unknown`. 404 when the caller has no session with `phone`.',
  })
  @ApiOkResponse({ type: EmulatorForgetKeyResponseDto, description: 'How many keys were forgotten' })
  forgetKey(
    @CurrentUser() user: AuthUser,
    @Body() body: EmulatorForgetKeyDto,
  ): Promise<EmulatorForgetKeyResponseDto> {
    return this.control.forgetKey(user.id, body.phone);
  }

  @Post('migrate-user')
  @HttpCode(200)
  @ApiOperation({
    summary: "Emulator: an emulated user's home DC moves",
    description:
      'The next request of a session signed in on the old DC answers 303 USER_MIGRATE_<dc> (api/datacenter.html); ' +
      'the service carries the authorization over (auth.exportAuthorization / importAuthorization) and stores the ' +
      'new dc_id. 404 when the caller has no session with `phone`.',
  })
  @ApiOkResponse({ type: EmulatorMigrateUserResponseDto, description: 'The new home DC' })
  migrateUser(
    @CurrentUser() user: AuthUser,
    @Body() body: EmulatorMigrateUserDto,
  ): Promise<EmulatorMigrateUserResponseDto> {
    return this.control.migrateUser(user.id, body.phone, body.dc);
  }

  @Post('qr/scan')
  @HttpCode(200)
  @ApiOperation({
    summary: "Emulator: an emulated Telegram user scans the caller's QR login",
    description:
      'Phones 99966XYYYY: X is the home DC (1–3; another DC than the QR login exercises LoginTokenMigrateTo), ' +
      'YYYY 2000–2999 have 2FA (password `emulator-2fa`). Only the caller’s own pending QR login is accepted.',
  })
  @ApiOkResponse({
    type: EmulatorScanQrResponseDto,
    description: 'The QR code was scanned; poll the QR login to finish',
  })
  scan(@CurrentUser() user: AuthUser, @Body() body: EmulatorScanQrDto): Promise<EmulatorScanQrResponseDto> {
    return this.control.scanQr(user.id, body.session_id, body.phone);
  }
}
