import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class BasicHealthDto {
  @ApiProperty({ example: 'healthy' })
  status!: string;

  @ApiProperty({ example: 'Integration Service' })
  service!: string;

  @ApiProperty({ example: '1.0.0' })
  version!: string;
}

export class LivenessDto {
  @ApiProperty({ example: 'alive' })
  status!: string;

  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' })
  timestamp!: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status!: string;

  @ApiPropertyOptional({ example: { database: { status: 'up', latency_ms: 0.8 } } })
  info?: Record<string, unknown>;

  @ApiPropertyOptional({ example: {} })
  error?: Record<string, unknown>;

  @ApiPropertyOptional({ example: { database: { status: 'up', latency_ms: 0.8 } } })
  details?: Record<string, unknown>;
}

export class ComponentHealthDto {
  @ApiProperty({
    enum: ['healthy', 'unhealthy', 'not_configured'],
    example: 'healthy',
    description:
      '`not_configured`: the dependency is not set up and a development stand-in works in its place ' +
      '(Vault without VAULT_URL: the local key ring). It does not make the service degraded.',
  })
  status!: string;

  @ApiProperty({ example: 'PostgreSQL' })
  type!: string;

  @ApiProperty({ example: 1.2 })
  latency_ms!: number;

  @ApiProperty({ description: 'Whether readiness depends on this component', example: true })
  critical!: boolean;

  @ApiPropertyOptional({ example: 'connect ECONNREFUSED' })
  error?: string;
}

export class DetailedHealthDto {
  @ApiProperty({ enum: ['healthy', 'degraded', 'unhealthy'], example: 'healthy' })
  status!: string;

  @ApiProperty({ example: 'integration-service' })
  service!: string;

  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' })
  timestamp!: string;

  @ApiProperty({ example: '1.0.0' })
  version!: string;

  @ApiProperty({ example: 3600 })
  uptime_seconds!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ComponentHealthDto' },
    example: {
      database: { status: 'healthy', type: 'PostgreSQL', latency_ms: 1.2, critical: true },
      vault: { status: 'healthy', type: 'HashiCorp Vault', latency_ms: 3.4, critical: true },
    },
  })
  components!: Record<string, ComponentHealthDto>;
}
