import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/http/error-response.dto';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/public.decorator';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import {
  BasicHealthDto,
  ComponentHealthDto,
  DetailedHealthDto,
  LivenessDto,
  ReadinessDto,
} from './health.dto';
import { HealthService } from './health.service';

const HEALTH_LIMITED = {
  type: ErrorResponseDto,
  description:
    'The per-IP limit of /health and the detailed report (RATE_LIMIT_HEALTH_LIMIT per minute); see Retry-After',
};

@ApiTags('health')
@ApiExtraModels(ComponentHealthDto)
@Public()
// `/health` and the detailed report share one per-IP bucket (SPEC: 60/min); the probes, like
// /metrics, are never limited — kubelets probe from a few node IPs, and a 429 would fail the probe.
@SkipThrottle({ default: true })
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('health')
  @ApiOperation({
    summary: 'Basic health',
    description: 'Static answer for load balancers; touches no dependency.',
  })
  @ApiOkResponse({ type: BasicHealthDto, description: 'The service is up' })
  @ApiTooManyRequestsResponse(HEALTH_LIMITED)
  basic(): BasicHealthDto {
    return { status: 'healthy', service: this.config.appName, version: this.config.version };
  }

  @Get('api/v1/health/liveness')
  @SkipThrottle({ health: true })
  @ApiOperation({
    summary: 'Liveness probe',
    description: 'The process is alive. Never checks a dependency.',
  })
  @ApiOkResponse({ type: LivenessDto, description: 'The process is alive (never rate limited)' })
  liveness(): LivenessDto {
    return { status: 'alive', timestamp: new Date().toISOString() };
  }

  @Get('api/v1/health/readiness')
  @SkipThrottle({ health: true })
  @ApiOperation({
    summary: 'Readiness probe',
    description: '200 only when PostgreSQL (and Vault where configured) answer in time.',
  })
  @ApiOkResponse({ type: ReadinessDto, description: 'Ready to serve (never rate limited)' })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: 'A required dependency is down: take the pod out of rotation',
  })
  async readiness(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const { ready, body } = await this.health.readiness();
    if (!ready) void reply.status(503);
    return body;
  }

  @Get('api/v1/health/detailed')
  @ApiOperation({ summary: 'Detailed health', description: 'Every dependency with its status and latency.' })
  @ApiOkResponse({ type: DetailedHealthDto, description: 'Every dependency answered' })
  @ApiServiceUnavailableResponse({
    type: DetailedHealthDto,
    description: 'At least one dependency is down or degraded',
  })
  @ApiTooManyRequestsResponse(HEALTH_LIMITED)
  async detailed(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const { healthy, body } = await this.health.detailed();
    if (!healthy) void reply.status(503);
    return body;
  }
}
