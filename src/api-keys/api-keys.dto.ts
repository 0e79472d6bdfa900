import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope } from '../common/auth/api-key-scopes';
import { IsUuidId } from '../common/validation/field-validators';
import type { ApiKeyEntity } from './api-key.entity';

const EXAMPLE_ID = '0d7f6a3e-4b52-4a8e-9c11-2f5e8d1b7a60';
const MAX_LIMITED_IDS = 100;

export class CreateApiKeyDto {
  @ApiProperty({
    example: 'CMS scheduler',
    minLength: 1,
    maxLength: 100,
    description: 'For you to tell keys apart',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['messages:send', 'channels:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, {
    each: true,
    message: `each value in $property must be one of ${API_KEY_SCOPES.join(', ')}`,
  })
  scopes!: ApiKeyScope[];

  @ApiPropertyOptional({
    example: '2027-06-30T00:00:00Z',
    description: 'When the key stops working (ISO 8601, in the future); never, when absent',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Limit the key to these accounts (your /telegram/accounts ids); all of them, when absent',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LIMITED_IDS)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each value in $property must be a UUID' })
  account_ids?: string[];

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Limit the key to these bots (your /telegram/bots ids); all of them, when absent',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LIMITED_IDS)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each value in $property must be a UUID' })
  bot_ids?: string[];
}

export class ApiKeyIdParamDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  @IsUuidId()
  id!: string;
}

export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  id!: string;

  @ApiProperty({ example: 'CMS scheduler' })
  name!: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['messages:send', 'channels:read'] })
  scopes!: ApiKeyScope[];

  @ApiProperty({ example: 'isk_Zm9vYm', description: 'The key’s first characters, to tell it apart' })
  key_prefix!: string;

  @ApiProperty({
    type: [String],
    nullable: true,
    example: null,
    description: 'Accounts the key is limited to',
  })
  account_ids!: string[] | null;

  @ApiProperty({ type: [String], nullable: true, example: null, description: 'Bots the key is limited to' })
  bot_ids!: string[] | null;

  @ApiProperty({ type: String, nullable: true, example: '2027-06-30T00:00:00.000Z' })
  expires_at!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-12-07T23:10:00.000Z',
    description: `When the key was last accepted (kept to about ten seconds)`,
  })
  last_used_at!: string | null;

  @ApiProperty({ example: '2026-12-07T23:00:00.000Z' })
  created_at!: string;

  static of(row: ApiKeyEntity): ApiKeyResponseDto {
    return {
      id: row.id,
      name: row.name,
      scopes: row.scopes,
      key_prefix: row.keyPrefix,
      account_ids: row.accountIds,
      bot_ids: row.botIds,
      expires_at: row.expiresAt?.toISOString() ?? null,
      last_used_at: row.lastUsedAt?.toISOString() ?? null,
      created_at: row.createdAt.toISOString(),
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyResponseDto {
  @ApiProperty({
    example: 'isk_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5',
    description: 'The key. Shown in this answer only: it is stored as a hash and cannot be read again',
  })
  key!: string;
}
