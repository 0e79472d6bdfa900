import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { EmulatorControlController } from './emulator-control.controller';
import { EmulatorControlService } from './emulator-control.service';
import { LoginController } from './login.controller';
import { LoginService } from './login.service';
import { SessionSecrets } from './session-secrets';
import { TelegramAccountMetrics } from './telegram-account-metrics';
import { TelegramAudit } from './telegram-audit';
import { TelegramSessionEntity } from './telegram-session.entity';

/**
 * Telegram accounts: login (phone code, 2FA, QR), list, disconnect, reconnect. Needs the global
 * TelegramGatewayModule. The emulator's control routes exist only when `emulator` is true.
 */
@Module({})
export class TelegramAccountsModule {
  static forRoot(options: { emulator: boolean }): DynamicModule {
    return {
      module: TelegramAccountsModule,
      imports: [TypeOrmModule.forFeature([TelegramSessionEntity])],
      controllers: [
        AccountsController,
        LoginController,
        ...(options.emulator ? [EmulatorControlController] : []),
      ],
      providers: [
        AccountsRepository,
        AccountsService,
        LoginService,
        SessionSecrets,
        TelegramAudit,
        TelegramAccountMetrics,
        ...(options.emulator ? [EmulatorControlService] : []),
      ],
      exports: [AccountsRepository, SessionSecrets],
    };
  }
}
