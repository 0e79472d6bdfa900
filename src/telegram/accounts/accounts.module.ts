import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountLifecycleService } from './account-lifecycle.service';
import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { EmulatorControlController } from './emulator-control.controller';
import { EmulatorControlService } from './emulator-control.service';
import { LoginController } from './login.controller';
import { PendingLogins } from './pending-logins';
import { PhoneLoginService } from './phone-login.service';
import { QrLoginService } from './qr-login.service';
import { QrRenderer } from './qr-renderer';
import { SessionSecrets } from './session-secrets';
import { SessionTransitions } from './session-transitions';
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
        AccountLifecycleService,
        PendingLogins,
        PhoneLoginService,
        QrLoginService,
        QrRenderer,
        SessionSecrets,
        SessionTransitions,
        TelegramAudit,
        TelegramAccountMetrics,
        ...(options.emulator ? [EmulatorControlService] : []),
      ],
      exports: [AccountsRepository, SessionSecrets],
    };
  }
}
