import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldProblemDto {
  @ApiProperty({ example: 'size' })
  field!: string;

  @ApiProperty({ example: 'size must not be greater than 100' })
  message!: string;
}

export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  status_code!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable code' })
  code!: string;

  @ApiProperty({ example: 'Invalid request: size' })
  message!: string;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'One entry per bad field (400 only)' })
  errors?: FieldProblemDto[];

  @ApiPropertyOptional({ example: 30, description: 'Seconds to wait (429 only)' })
  retry_after?: number;

  @ApiProperty({ example: '8c0e0f7e-55a4-4c2b-9f0e-4d8f0c1f2a3b' })
  request_id!: string;
}
