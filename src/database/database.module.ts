import { DynamicModule, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { dataSourceOptions } from './data-source.options';
import { runMigrationsLocked } from './migrator';

@Injectable()
class MigrationsOnBoot implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext('Migrations');
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.database.migrationsRun) return;
    const applied = await runMigrationsLocked(this.dataSource);
    if (applied.length > 0)
      this.logger.info({ migrations: applied.map((m) => m.name) }, 'Applied migrations');
  }
}

@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    const url = config.database.url;
    if (!url)
      throw new Error('DatabaseModule needs a database URL (the embedded database starts before the app)');
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions({ ...config.database, url }),
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
      providers: [MigrationsOnBoot],
    };
  }
}
