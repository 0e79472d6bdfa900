import { DynamicModule, Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { BackgroundFaults } from '../metrics/background-faults';
import { MetricsService } from '../metrics/metrics.service';

/** Metrics are always collected (domain code may record them); `/metrics` exists only when enabled. */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: { exposeEndpoint: boolean }): DynamicModule {
    return {
      module: MetricsModule,
      controllers: options.exposeEndpoint ? [MetricsController] : [],
      providers: [MetricsService, BackgroundFaults],
      exports: [MetricsService, BackgroundFaults],
    };
  }
}
