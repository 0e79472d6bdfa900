import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AuthUser, CurrentUser } from '../src/common/auth/current-user.decorator';
import { ApiEndpoint } from '../src/common/http/api-endpoint.decorator';
import { echoResponse, type EchoBody, type EchoResponse } from './lib/echo';

/**
 * The body of the benchmark's validated POST: the shape of a login request (phone, optional code
 * and 2FA password, free-form metadata). The raw baseline declares the same rules as JSON schema.
 */
export class BenchEchoDto implements EchoBody {
  @ApiProperty({ example: '+15551234567' })
  @IsString()
  @Matches(/^\+?\d{10,15}$/, { message: '$property must be 10 to 15 digits, optionally after a +' })
  phone!: string;

  @ApiPropertyOptional({ example: '12345' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{5}$/, { message: '$property must be 5 digits' })
  code?: string;

  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  password?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class BenchEchoResponseDto implements EchoResponse {
  @ApiProperty() received!: boolean;
  @ApiProperty() user_id!: number;
  @ApiProperty() phone!: string;
  @ApiProperty() has_code!: boolean;
  @ApiProperty() has_password!: boolean;
  @ApiProperty() metadata_keys!: number;
}

/** Mounted only by the benchmark: JWT-guarded like every API route (no @Public), body through the global ValidationPipe. */
@ApiEndpoint('bench')
@Controller('api/v1/bench')
export class BenchEchoController {
  @Post('echo')
  @HttpCode(200)
  @ApiOperation({ summary: 'Benchmark only: validates a login-shaped body and echoes a summary' })
  @ApiOkResponse({ type: BenchEchoResponseDto })
  echo(@CurrentUser() user: AuthUser, @Body() body: BenchEchoDto): BenchEchoResponseDto {
    return echoResponse(user.id, body);
  }
}

@Module({ controllers: [BenchEchoController] })
export class BenchEchoModule {}
