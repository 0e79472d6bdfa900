import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogService } from './audit-log.service';
import { IntegrationLogEntity } from './integration-log.entity';
import { LogsController } from './logs.controller';
import { LogsRepository } from './logs.repository';
import { LogsService } from './logs.service';
import { LogRetentionService } from './log-retention.service';

/** The audit log: every module records through AuditLogService (exported globally). */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationLogEntity])],
  controllers: [LogsController],
  providers: [LogsRepository, LogsService, AuditLogService, LogRetentionService],
  exports: [AuditLogService],
})
export class LogsModule {}
