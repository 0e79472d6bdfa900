import { Injectable } from '@nestjs/common';
import { CipherNotConfiguredError } from '../../vault';
import {
  type TelegramApiCredentials,
  TelegramCredentialsProvider,
} from '../credentials/telegram-credentials.provider';
import { TelegramNotConfiguredError } from '../telegram.errors';

/**
 * The API id/hash the gateway connects with: the TelegramCredentialsProvider (TELEGRAM_API_ID/HASH, else the Vault KV secret). Missing →
 * 503 `telegram_not_configured` on the Telegram routes only; the rest of the service runs.
 */
@Injectable()
export class GatewayCredentials {
  constructor(private readonly provider: TelegramCredentialsProvider) {}

  async get(): Promise<TelegramApiCredentials> {
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
