import { Body, Controller, HttpCode, Inject, Injectable, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { AuthUser, CurrentUser } from '../common/auth/current-user.decorator';
import { ConflictError, NotFoundError } from '../common/errors/app-error';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator';
import { IsUuidId } from '../common/validation/field-validators';
import { AccountsRepository } from '../telegram/accounts/accounts.repository';
import { SessionSecrets } from '../telegram/accounts/session-secrets';
import type { EmulatorControlPort, FaultRequest } from '@integration-service/telegram-emulator';
import { parseStringSession } from '@integration-service/telegram-emulator';
import { TELEGRAM_EMULATOR_CONTROL } from './emulator.tokens';

const FAULTS = ['drop', 'stall', 'unstall', 'delay'] as const;

export class EmulatorFaultDto {
  @ApiProperty({
    format: 'uuid',
    description: "One of the caller's accounts: the fault hits its auth key's connections",
  })
  @IsUuidId()
  session_id!: string;

  @ApiProperty({
    enum: FAULTS,
    description:
      '`drop` closes the connections (GramJS reconnects), `stall` makes them take bytes and answer nothing ' +
      '(until `unstall`), `delay` sends every answer `ms` late (0 ends it)',
  })
  @IsIn([...FAULTS], { message: `fault must be one of: ${FAULTS.join(', ')}` })
  fault!: (typeof FAULTS)[number];

  @ApiPropertyOptional({ example: 2000, description: 'For `delay`: milliseconds (0–600000)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600_000)
  ms?: number;
}

export class EmulatorFaultResponseDto {
  @ApiProperty({ example: 1, description: 'Open connections the fault applies to now' })
  connections!: number;
}

/** Development only: network faults on the emulator server's connections of the caller's own account. */
@Injectable()
export class EmulatorFaultsService {
  constructor(
    @Inject(TELEGRAM_EMULATOR_CONTROL) private readonly control: EmulatorControlPort,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
  ) {}

  async apply(userId: number, body: EmulatorFaultDto): Promise<EmulatorFaultResponseDto> {
    const row = await this.accounts.findForUser(userId, body.session_id);
    if (!row) throw new NotFoundError('No such account');
    const { session } = await this.secrets.open(userId, row.sessionData);
    const parsed = parseStringSession(session);
    if (!parsed) throw new ConflictError('no_auth_key', 'This account holds no Telegram auth key yet');
    const target = { authKeyId: parsed.authKeyId };
    const request: FaultRequest =
      body.fault === 'drop'
        ? { fault: 'drop', target }
        : body.fault === 'delay'
          ? { fault: 'delay', target, ms: body.ms ?? 0 }
          : { fault: 'stall', target, on: body.fault === 'stall' };
    const connections = await this.control.fault(request);
    if (connections === undefined) {
      throw new ConflictError(
        'emulator_in_process',
        'The in-process emulator has no network to break; run it as a server (TELEGRAM_EMULATOR_URL / npm start)',
      );
    }
    return { connections };
  }
}

/** Registered only with TELEGRAM_EMULATOR=true (never in production). */
@ApiEndpoint('telegram-emulator (development)')
@Controller('api/v1/dev/telegram-emulator/faults')
export class EmulatorFaultsController {
  constructor(private readonly faults: EmulatorFaultsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: "Emulator: break the network of one of the caller's accounts (drop, stall, delay)",
    description:
      'Only with the emulator served over TCP. Applies to the connections open now with the account’s auth key.',
  })
  @ApiOkResponse({ type: EmulatorFaultResponseDto, description: 'How many connections the fault hit' })
  apply(@CurrentUser() user: AuthUser, @Body() body: EmulatorFaultDto): Promise<EmulatorFaultResponseDto> {
    return this.faults.apply(user.id, body);
  }
}
