import { DynamicModule, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { describeTlsFailure } from '../tls/tls-failure';
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
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions({ ...config.database, url, tls: config.tls.database }),
            // Each feature module registers its own entities with TypeOrmModule.forFeature.
            autoLoadEntities: true,
            retryAttempts: 3,
            retryDelay: 1000,
          }),
          // A server that cannot be verified stops start-up with a message naming PostgreSQL and why.
          dataSourceFactory: async (options?: DataSourceOptions) => {
            try {
              return await new DataSource(options!).initialize();
            } catch (error) {
              const tlsFailure = describeTlsFailure(config.tls.database, error);
              throw tlsFailure ? new Error(tlsFailure, { cause: error }) : error;
            }
          },
        }),
      ],
      providers: [MigrationsOnBoot],
    };
  }
}
