import { Module } from '@nestjs/common';
import { TelegramAccountsModule } from '../accounts/accounts.module';
import { TelegramBotsModule } from '../bots/bots.module';
import { SessionWatchdog } from './session-watchdog';
import { WatchdogMetrics } from './watchdog-metrics';
import { WatchdogTransitions } from './watchdog-transitions';
import { WatchdogRepository } from './watchdog.repository';

/** The session watchdog (TELEGRAM_WATCHDOG_INTERVAL_MS; 0 = off). Needs the global TelegramGatewayModule. */
@Module({
  imports: [TelegramAccountsModule, TelegramBotsModule],
  providers: [SessionWatchdog, WatchdogMetrics, WatchdogRepository, WatchdogTransitions],
})
export class TelegramWatchdogModule {}
