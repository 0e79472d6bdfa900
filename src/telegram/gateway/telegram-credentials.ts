import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { CipherNotConfiguredError } from '../../vault';
import {
  type TelegramApiCredentials,
  TelegramCredentialsProvider,
} from '../credentials/telegram-credentials.provider';
import { TelegramNotConfiguredError } from '../telegram.errors';

/** What the emulator is given: it checks only that both are present. */
export const EMULATOR_API_CREDENTIALS: TelegramApiCredentials = {
  apiId: 12345,
  apiHash: '0123456789abcdef0123456789abcdef',
  source: 'emulator',
};

/**
 * The API id/hash the gateway connects with: a fixed fake pair for the emulator; otherwise the
 * TelegramCredentialsProvider (TELEGRAM_API_ID/HASH, else the Vault KV secret). Missing →
 * 503 `telegram_not_configured` on the Telegram routes only; the rest of the service runs.
 */
@Injectable()
export class GatewayCredentials {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly provider: TelegramCredentialsProvider,
  ) {}

  async get(): Promise<TelegramApiCredentials> {
    if (this.config.telegram.emulator) return EMULATOR_API_CREDENTIALS;
    try {
      return await this.provider.require();
    } catch (error) {
      if (error instanceof CipherNotConfiguredError) {
        // The Vault secret exists but lacks a valid api_id/api_hash.
        throw new TelegramNotConfiguredError(`Telegram API credentials are unusable: ${error.message}`);
      }
      throw error; // TelegramCredentialsMissingError (503) or VaultUnavailableError (503)
    }
  }
}
