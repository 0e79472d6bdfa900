import { Injectable } from '@nestjs/common';
import { DEFAULT_EMULATED_APP } from '@integration-service/telegram-emulator';
import type { TelegramApiCredentials } from '../telegram/credentials/telegram-credentials.provider';

/** What the service connects to the emulator with: the application the emulator knows by default. */
export const EMULATOR_API_CREDENTIALS: TelegramApiCredentials = {
  ...DEFAULT_EMULATED_APP,
  source: 'emulator',
};

/** Stands in for the gateway's GatewayCredentials while the emulator module is mounted. */
@Injectable()
export class EmulatorGatewayCredentials {
  get(): Promise<TelegramApiCredentials> {
    return Promise.resolve(EMULATOR_API_CREDENTIALS);
  }
}
