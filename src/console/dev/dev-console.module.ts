import { Module } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { DevConsoleController } from './dev-console.controller';

/**
 * The console's development routes. Mounted by AppModule only when they are safe: not production,
 * the Telegram emulator on, and tokens signed with a shared secret this process holds.
 */
@Module({ controllers: [DevConsoleController] })
export class DevConsoleModule {
  static enabledFor(config: AppConfig): boolean {
    return !config.production && config.telegram.emulator && Boolean(config.jwt.secret);
  }
}
