import { TelegramNotConfiguredError } from '../telegram.errors';

/** Calls whose success proves Telegram accepts both the api_id and the api_hash. */
const PROVING_CALLS = new Set(['auth.SendCode', 'auth.ExportLoginToken', 'auth.ImportBotAuthorization']);

/**
 * What Telegram last said about the configured API credentials: a rejection (API_ID_INVALID,
 * CONNECTION_API_ID_INVALID, API_ID_PUBLISHED_FLOOD) turns the health component `misconfigured` with
 * the reason, until a call that carries the pair succeeds or other credentials are configured.
 */
export class CredentialCheck {
  private rejection?: { apiId: number; reason: string; at: Date };

  rejected(error: unknown, apiId: number): void {
    if (!(error instanceof TelegramNotConfiguredError)) return;
    const reason = typeof error.details.reason === 'string' ? error.details.reason : 'API_ID_INVALID';
    this.rejection = { apiId, reason, at: new Date() };
  }

  accepted(operation: string, apiId: number): void {
    if (this.rejection?.apiId === apiId && PROVING_CALLS.has(operation)) this.rejection = undefined;
  }

  /** Extra health facts: `status: misconfigured` with Telegram's reason while the pair stands rejected. */
  report(apiId: number): Record<string, unknown> {
    const rejection = this.rejection;
    if (!rejection || rejection.apiId !== apiId) return {};
    return {
      status: 'misconfigured',
      error: `Telegram rejected the configured API credentials (${rejection.reason})`,
      reason: rejection.reason,
      rejected_at: rejection.at.toISOString(),
    };
  }
}
