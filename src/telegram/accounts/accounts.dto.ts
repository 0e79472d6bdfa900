import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsTelegramPhone, IsUuidId, QueryBoolean } from '../../common/validation/field-validators';
import { toSessionMetadata, type SessionMetadata } from './session-metadata';
import { SESSION_STATUSES, type TelegramSessionEntity } from './telegram-session.entity';
import { OwnedRowResponseDto } from '../../common/http/owned-row-response.dto';

export class ListAccountsQueryDto {
  @QueryBoolean({ description: 'Only accounts whose session is active', default: true })
  active_only?: boolean;
}

export class SessionIdParamDto {
  @ApiProperty({ format: 'uuid', example: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21' })
  @IsUuidId()
  session_id!: string;
}

export class AccountResponseDto extends OwnedRowResponseDto({
  example: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21',
  description: 'The session id',
}) {
  @ApiProperty({
    example: '+9996621234',
    nullable: true,
    type: String,
    description: 'International format; null for a QR login until Telegram says whose account it is',
  })
  phone!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: {
      status: 'connected',
      method: 'phone_code',
      telegram_user_id: '7000021234',
      username: 'emu9996621234',
      first_name: 'Elif',
      last_name: 'Okafor',
      dc_id: 2,
      connected_at: '2026-11-25T10:05:00.000Z',
      last_connected_at: '2026-11-25T10:05:00.000Z',
      last_error: null,
    },
    description:
      `Descriptive state of the session; never a credential. \`status\`: ${SESSION_STATUSES.join(', ')}. ` +
      '`last_error` holds the reason of the last failure (e.g. `AUTH_KEY_UNREGISTERED` once revoked).',
  })
  session_metadata!: SessionMetadata;

  @ApiProperty({
    example: true,
    description: 'True only for a signed-in session that has not been revoked or disconnected',
  })
  is_active!: boolean;

  /**
   * Lists the returned fields explicitly, so a new secret column can never leak; `session_metadata`
   * is built from the state columns key by key (session-metadata.ts), never passed through.
   */
  static from(entity: TelegramSessionEntity): AccountResponseDto {
    return {
      id: entity.id,
      created_at: entity.createdAt.toISOString(),
      updated_at: entity.updatedAt.toISOString(),
      user_id: entity.userId,
      phone: entity.phone,
      session_metadata: toSessionMetadata(entity),
      is_active: entity.isActive,
    };
  }
}

export class ConnectAccountDto {
  @ApiProperty({
    example: '+9996621234',
    description: 'International format, digits with an optional leading "+" (7–15 digits)',
  })
  @IsTelegramPhone()
  phone!: string;

  @ApiPropertyOptional({
    example: '22222',
    description: 'The login code Telegram sent (second step)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d{4,8}$/, { message: 'code must be 4–8 digits' })
  code?: string;

  @ApiPropertyOptional({
    example: 'emulator-2fa',
    description: 'The two-step verification password (when the answer was `2fa_required`)',
    format: 'password',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21',
    description:
      'Continue this pending login. Optional: by default the newest pending login of this phone is ' +
      'continued (and, with a password, the newest QR login waiting for its 2FA password).',
  })
  @IsOptional()
  @IsUuidId()
  session_id?: string;

  @ApiPropertyOptional({
    example: true,
    description:
      "With the phone alone (and optionally `session_id`): send the pending login's code again by " +
      '`next_code_type` (auth.resendCode); refused with 429 before `resend_after`.',
  })
  @IsOptional()
  @IsBoolean()
  resend?: boolean;
}

export const LOGIN_STATUSES = ['success', 'pending', 'code_required', '2fa_required'] as const;
export type LoginStatus = (typeof LOGIN_STATUSES)[number];

export class LoginResponseDto {
  @ApiProperty({
    enum: LOGIN_STATUSES,
    example: 'code_required',
    description:
      '`code_required`: send the code next; `2fa_required`: send the password next; `pending`: a QR ' +
      'login waits for its scan (poll it); `success`: the account is connected.',
  })
  status!: LoginStatus;

  @ApiProperty({ format: 'uuid', example: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21' })
  session_id!: string;

  @ApiProperty({ example: 'A login code was sent to this number in Telegram; send it as `code`' })
  message!: string;

  @ApiPropertyOptional({
    description:
      'QR login only: a PNG image, base64 (no data: prefix), of `tg://login?token=…`. Show it; it changes when Telegram renews the token.',
    example: 'iVBORw0KGgoAAAANSUhEUgAA…',
  })
  qr_code?: string;

  @ApiPropertyOptional({
    example: '2026-11-25T10:00:30.000Z',
    description:
      'QR login: when the QR code shown expires (poll before then for a fresh one). Code login: when the pending login expires.',
  })
  expires_at?: string;

  @ApiPropertyOptional({
    example: 'sms',
    description:
      'On `code_required`: how Telegram sent the code (`app`, `sms`, `call`, `flash_call`, `missed_call`, ' +
      '`email`, `fragment_sms`, `firebase_sms`, `sms_word`, `sms_phrase`)',
  })
  code_type?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'call',
    description: 'On `code_required`: how a resend (`resend: true`) would send it; null when it cannot',
  })
  next_code_type?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2026-11-25T10:01:00.000Z',
    description: 'On `code_required`: from when a resend may be asked; null without `next_code_type`',
  })
  resend_after?: string | null;

  @ApiPropertyOptional({ type: AccountResponseDto, description: 'On `success`: the connected account' })
  account?: AccountResponseDto;
}
