import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../../common/auth/public.decorator';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { asyncApiDocument } from './asyncapi';

/** GET /asyncapi.json: the event catalogue as AsyncAPI 3.0 (like /openapi.json, public). */
@ApiExcludeController()
@Public()
@SkipThrottle({ default: true })
@Controller()
export class AsyncApiController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.document = asyncApiDocument(config);
  }

  @Get('asyncapi.json')
  get(): Record<string, unknown> {
    return this.document;
  }
}
