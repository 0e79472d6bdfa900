import { Injectable } from '@nestjs/common';
import type { TelegramApiCredentials } from '../../credentials/telegram-credentials.provider';

/** What the service connects to the emulator with: it checks only that both are present. */
export const EMULATOR_API_CREDENTIALS: TelegramApiCredentials = {
  apiId: 12345,
  apiHash: '0123456789abcdef0123456789abcdef',
  source: 'emulator',
};

/** Stands in for the gateway's GatewayCredentials while the emulator module is mounted. */
@Injectable()
export class EmulatorGatewayCredentials {
  get(): Promise<TelegramApiCredentials> {
    return Promise.resolve(EMULATOR_API_CREDENTIALS);
  }
}
