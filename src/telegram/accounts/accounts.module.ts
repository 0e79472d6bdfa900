import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ACCOUNT_SENDERS } from '../senders/sender-directory';
import { AccountLifecycleService } from './account-lifecycle.service';
import { AccountSenders } from './account-senders';
import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { LoginController } from './login.controller';
import { ImportedSessionRows } from './imported-session-rows';
import { PendingLogins } from './pending-logins';
import { PhoneLoginService } from './phone-login.service';
import { QrLiveFollower } from './qr-live-follower';
import { QrLoginService } from './qr-login.service';
import { QrRenderer } from './qr-renderer';
import { SessionImportService } from './session-import.service';
import { SessionSecrets } from './session-secrets';
import { SessionTransitions } from './session-transitions';
import { TelegramAccountMetrics } from './telegram-account-metrics';
import { TelegramAudit } from './telegram-audit';
import { TelegramSessionEntity } from './telegram-session.entity';

/**
 * Telegram accounts: login (phone code, 2FA, QR), session import, list, disconnect, reconnect. Needs the global
 * TelegramGatewayModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([TelegramSessionEntity])],
  controllers: [AccountsController, LoginController],
  providers: [
    AccountsRepository,
    AccountsService,
    AccountLifecycleService,
    ImportedSessionRows,
    PendingLogins,
    PhoneLoginService,
    QrLiveFollower,
    QrLoginService,
    QrRenderer,
    SessionImportService,
    SessionSecrets,
    SessionTransitions,
    TelegramAudit,
    TelegramAccountMetrics,
    { provide: ACCOUNT_SENDERS, useClass: AccountSenders },
  ],
  exports: [AccountsRepository, SessionSecrets, SessionTransitions, ACCOUNT_SENDERS],
})
export class TelegramAccountsModule {}
