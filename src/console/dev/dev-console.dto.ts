import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DevTokenResponseDto {
  @ApiProperty({ description: 'A bearer token for the development user', example: 'eyJhbGciOiJIUzI1NiIs…' })
  token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ example: 1 })
  user_id!: number;

  @ApiProperty({ description: 'When the token expires', example: '2026-01-02T10:00:00.000Z' })
  expires_at!: string;
}

export class DevConsoleInfoDto {
  @ApiProperty({ description: 'The Telegram emulator is on (development only)', example: true })
  emulator!: boolean;

  @ApiProperty({ description: 'GET /api/v1/dev/token hands out a development token', example: true })
  token_route!: boolean;

  @ApiPropertyOptional({
    enum: ['in-process', 'tcp'],
    description:
      'How the service reaches the emulator: its world in this process (lost at every restart), or an ' +
      'emulator server over TCP (MTProto, a process of its own)',
    example: 'tcp',
  })
  emulator_transport?: 'in-process' | 'tcp';

  @ApiPropertyOptional({
    description: "The emulator server's DC address (TCP only)",
    example: '127.0.0.1:38357',
  })
  emulator_address?: string;
}
