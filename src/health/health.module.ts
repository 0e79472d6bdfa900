import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health-registry';
import { DependencyMetrics } from './dependency-metrics';
import { HealthService } from './health.service';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [HealthRegistry, HealthService, DependencyMetrics],
  exports: [HealthRegistry, HealthService],
})
export class HealthModule {}
