import { ApiProperty } from '@nestjs/swagger';

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
  @ApiProperty({ description: 'The in-process Telegram emulator is on (development only)', example: true })
  emulator!: boolean;

  @ApiProperty({ description: 'GET /api/v1/dev/token hands out a development token', example: true })
  token_route!: boolean;
}
