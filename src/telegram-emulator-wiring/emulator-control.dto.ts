import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsTelegramPhone, IsUuidId } from '../common/validation/field-validators';

export const REVOCATION_REASONS = ['AUTH_KEY_UNREGISTERED', 'SESSION_REVOKED'] as const;

export class EmulatorRevokeDto {
  @ApiProperty({ example: '+9996621234', description: 'The emulated Telegram user whose sessions end' })
  @IsTelegramPhone()
  phone!: string;

  @ApiPropertyOptional({
    enum: REVOCATION_REASONS,
    default: 'AUTH_KEY_UNREGISTERED',
    description: 'What Telegram answers the revoked sessions from now on',
  })
  @IsOptional()
  @IsIn([...REVOCATION_REASONS], {
    message: `reason must be one of: ${REVOCATION_REASONS.join(', ')}`,
  })
  reason?: (typeof REVOCATION_REASONS)[number];
}

export class EmulatorRevokeResponseDto {
  @ApiProperty({ example: 1, description: 'Sessions (auth keys) signed out' })
  revoked!: number;
}

export class EmulatorScanQrDto {
  @ApiProperty({
    format: 'uuid',
    example: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21',
    description: "The caller's pending QR login (from GET /api/v1/telegram/qr-code)",
  })
  @IsUuidId()
  session_id!: string;

  @ApiProperty({ example: '+9996621234', description: 'The emulated Telegram user who scans the code' })
  @IsTelegramPhone()
  phone!: string;
}

export class EmulatorScanQrResponseDto {
  @ApiProperty({ example: 'scanned' })
  status!: 'scanned';

  @ApiProperty({ format: 'uuid', example: '3f1c2a4e-8c1b-4c57-9a53-5a2d7e0f6b21' })
  session_id!: string;

  @ApiProperty({ example: 'The emulated user scanned the QR code; poll the QR login to finish it' })
  message!: string;
}

export class EmulatorForgetKeyDto {
  @ApiProperty({
    example: '+9996611234',
    description: 'The emulated Telegram user whose auth keys the DC forgets',
  })
  @IsTelegramPhone()
  phone!: string;
}

export class EmulatorForgetKeyResponseDto {
  @ApiProperty({ example: 1, description: 'Auth keys of the caller’s sessions the DC forgot' })
  forgotten!: number;
}

export class EmulatorMigrateUserDto {
  @ApiProperty({ example: '+9996611234', description: 'The emulated Telegram user whose home DC moves' })
  @IsTelegramPhone()
  phone!: string;

  @ApiProperty({ example: 2, minimum: 1, maximum: 3, description: 'The new home DC' })
  @IsInt()
  @Min(1)
  @Max(3)
  dc!: number;
}

export class EmulatorMigrateUserResponseDto {
  @ApiProperty({ example: 2 })
  dc!: number;
}
