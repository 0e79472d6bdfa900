import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import {
  CipherNotConfiguredError,
  type KvSecret,
  VAULT_KV,
  type VaultKvReader,
  VaultSecretNotFoundError,
} from '../../vault';

/** The Telegram API application credentials (my.telegram.org) GramJS needs to connect. */
export interface TelegramApiCredentials {
  apiId: number;
  apiHash: string;
  /** Where they came from (safe to log; the values are not). */
  source: 'emulator' | 'environment' | 'vault';
}

/** No TELEGRAM_API_ID/TELEGRAM_API_HASH, and no Vault KV secret holding them: Telegram cannot be used. */
export class TelegramCredentialsMissingError extends AppError {
  readonly kind = 'unavailable';
  readonly code = 'telegram_not_configured';

  constructor(kvPath?: string) {
    super(
      'Telegram API credentials are not configured: set TELEGRAM_API_ID and TELEGRAM_API_HASH' +
        (kvPath ? ` or store {api_id, api_hash} in Vault at ${kvPath}` : ''),
    );
    this.details.dependency = 'telegram';
  }
}

type StoredCredentials = Omit<TelegramApiCredentials, 'source'>;

/** `{api_id, api_hash}` of the KV secret; api_id may be a number or a decimal string. */
function parseStoredCredentials(data: Record<string, unknown>, path: string): StoredCredentials {
  const { api_id: rawId, api_hash: apiHash } = data;
  const apiId =
    typeof rawId === 'number'
      ? rawId
      : typeof rawId === 'string' && /^\d+$/.test(rawId)
        ? Number(rawId)
        : NaN;
  if (!Number.isSafeInteger(apiId) || typeof apiHash !== 'string' || apiHash === '') {
    throw new CipherNotConfiguredError(
      `Vault secret ${path} must hold api_id (integer) and api_hash (string)`,
    );
  }
  return { apiId, apiHash };
}

/**
 * Where the Telegram API id/hash come from: TELEGRAM_API_ID/TELEGRAM_API_HASH when set (they win); else, when
 * VAULT_URL is set, the KV v2 secret at VAULT_KV_TELEGRAM_PATH (`{api_id, api_hash}`, read through the Vault
 * module's KV reader: cached for five minutes, and its last value served while Vault is briefly unavailable);
 * else none.
 */
@Injectable()
export class TelegramCredentialsProvider {
  private readonly stored: KvSecret<StoredCredentials> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(VAULT_KV) kv: VaultKvReader | null,
  ) {
    this.stored = kv?.secret({
      path: config.vault.kvTelegramPath,
      name: 'telegram credentials',
      parse: parseStoredCredentials,
    });
  }

  /**
   * The credentials, or undefined when none are configured anywhere (no environment values, and no Vault or
   * no secret at the KV path).
   * @throws VaultUnavailableError when Vault is needed but cannot answer (the filter maps it to 503)
   * @throws CipherNotConfiguredError when the Vault secret exists but lacks a valid api_id/api_hash
   */
  async get(): Promise<TelegramApiCredentials | undefined> {
    const { apiId, apiHash } = this.config.telegram;
    if (apiId !== undefined && apiHash !== undefined) return { apiId, apiHash, source: 'environment' };
    if (!this.stored) return undefined;
    try {
      return { ...(await this.stored.get()), source: 'vault' };
    } catch (error) {
      if (error instanceof VaultSecretNotFoundError) return undefined;
      throw error;
    }
  }

  /** Like `get`, but a missing configuration is a `TelegramCredentialsMissingError` (503 telegram_not_configured). */
  async require(): Promise<TelegramApiCredentials> {
    const credentials = await this.get();
    if (!credentials)
      throw new TelegramCredentialsMissingError(
        this.config.vault.url ? this.config.vault.kvTelegramPath : undefined,
      );
    return credentials;
  }
}
