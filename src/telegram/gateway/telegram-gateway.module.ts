import { DynamicModule, Module, type Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TelegramClient } from 'telegram';
import { TelegramCredentialsProvider } from '../credentials/telegram-credentials.provider';
import { SessionLeaseEntity } from '../leases/session-lease.entity';
import { SessionLeases } from '../leases/session-leases';
import { GatewayCredentials } from './telegram-credentials';
import { TELEGRAM_CLIENT_SOURCE, TelegramGateway, type TelegramClientSource } from './telegram-gateway';

export interface TelegramGatewayOptions {
  /**
   * A module that stands in for Telegram: it must provide and export TELEGRAM_CLIENT_SOURCE (how
   * clients are built) and GatewayCredentials (the API id/hash to connect with). Without it the
   * gateway builds real TelegramClients with the configured credentials.
   */
  backend?: DynamicModule | Promise<DynamicModule>;
}

const TELEGRAM_BACKEND: Provider[] = [
  {
    provide: TELEGRAM_CLIENT_SOURCE,
    useValue: {
      mode: 'telegram',
      factory: (session, apiId, apiHash, params) => new TelegramClient(session, apiId, apiHash, params),
    } satisfies TelegramClientSource,
  },
  GatewayCredentials,
];

/** The gateway to Telegram: real TelegramClients, or whatever `backend` provides instead. */
@Module({})
export class TelegramGatewayModule {
  static forRoot(options: TelegramGatewayOptions = {}): DynamicModule {
    return {
      module: TelegramGatewayModule,
      global: true,
      imports: [
        TypeOrmModule.forFeature([SessionLeaseEntity]),
        ...(options.backend ? [options.backend] : []),
      ],
      providers: [
        ...(options.backend ? [] : TELEGRAM_BACKEND),
        TelegramCredentialsProvider,
        SessionLeases,
        TelegramGateway,
      ],
      exports: [TelegramGateway, SessionLeases],
    };
  }
}
