import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { OptionalEnum, QueryInt } from '../common/validation/field-validators';
import { LOG_STATUSES, type IntegrationLogEntity, type LogStatus } from './integration-log.entity';

export class LogsQueryDto {
  @ApiPropertyOptional({
    description: 'Integration type',
    default: 'telegram',
    maxLength: 50,
    example: 'telegram',
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  @Matches(/^[a-z0-9_.-]+$/i, { message: 'integration_type may hold letters, digits, ".", "_" and "-" only' })
  integration_type?: string;

  @OptionalEnum(LOG_STATUSES, 'Only rows with this status')
  log_status?: LogStatus;

  @QueryInt({ description: 'Period in days, counted back from now', min: 1, max: 365, default: 30 })
  days_back?: number;

  @QueryInt({ description: 'Page number (offset pagination)', min: 1, max: 1_000_000, default: 1 })
  page?: number;

  @QueryInt({ description: 'Rows per page', min: 1, max: 100, default: 20 })
  size?: number;

  @ApiPropertyOptional({
    description:
      'Opaque keyset cursor from a previous `next_cursor`: returns the rows after it (fast at any depth). ' +
      'Use instead of `page`, with the same filters.',
    example:
      'eyJ0IjoiMjAyNi0xMS0yNVQxMDowMDowMC4xMjM0NTZaIiwiaSI6IjNmMWMyYTRlLTk5OTktNDQ0NC04ODg4LTEyMzQ1Njc4OWFiYyJ9',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class StatsQueryDto {
  @QueryInt({ description: 'Period in days, counted back from now', min: 1, max: 365, default: 7 })
  days_back?: number;
}

export class LogItemDto {
  @ApiProperty({ format: 'uuid', example: '0b8f5f0e-3c8a-4a52-9d6f-2b1c8c4f9e11' })
  id!: string;

  @ApiProperty({ example: 42 })
  user_id!: number;

  @ApiProperty({ example: 'telegram' })
  integration_type!: string;

  @ApiProperty({ example: 'send_code' })
  action!: string;

  @ApiProperty({ enum: LOG_STATUSES, example: 'success' })
  status!: LogStatus;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { phone: '+999*****34', dc_id: 2 } })
  details!: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true, example: null })
  error_message!: string | null;

  @ApiProperty({ example: '2026-11-25T10:00:00.123Z' })
  created_at!: string;

  @ApiProperty({ example: '2026-11-25T10:00:00.123Z' })
  updated_at!: string;

  static from(entity: IntegrationLogEntity): LogItemDto {
    return {
      id: entity.id,
      user_id: entity.userId,
      integration_type: entity.integrationType,
      action: entity.action,
      status: entity.status,
      details: entity.details,
      error_message: entity.errorMessage,
      created_at: entity.createdAt.toISOString(),
      updated_at: entity.updatedAt.toISOString(),
    };
  }
}

export class LogsPageDto {
  @ApiProperty({ type: [LogItemDto] })
  items!: LogItemDto[];

  @ApiProperty({ example: 134, description: 'Rows matching the filters' })
  total!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 1,
    description: 'The page served; null when a cursor was used',
  })
  page!: number | null;

  @ApiProperty({ example: 20 })
  size!: number;

  @ApiProperty({ example: 7 })
  pages!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor for the rows after this page; null at the end',
  })
  next_cursor!: string | null;
}

export class ErrorStatsDto {
  @ApiProperty({
    example: 120,
    description:
      'Every audit row of the period: `success`, `error` and `pending` (e.g. a message queued and not yet ' +
      'sent or failed). So total_actions − success_count − error_count is the number of pending rows.',
  })
  total_actions!: number;

  @ApiProperty({ example: 6, description: 'Rows with status `error`' })
  error_count!: number;

  @ApiProperty({
    example: 110,
    description: 'Rows with status `success` (pending rows are in neither count)',
  })
  success_count!: number;

  @ApiProperty({
    example: 0.05,
    description: 'error_count / total_actions, 4 decimal places; 0 when there are none',
  })
  error_rate!: number;

  @ApiProperty({ example: 7 })
  period_days!: number;
}
