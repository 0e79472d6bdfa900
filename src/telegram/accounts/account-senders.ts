import { Injectable } from '@nestjs/common';
import type { SessionRef } from '../gateway/session-run';
import type { SenderSource, SenderStanding } from '../senders/sender-directory';
import type { TelegramSessionRevokedError } from '../telegram.errors';
import { AccountsRepository } from './accounts.repository';
import { holdsSecret, SessionSecrets } from './session-secrets';
import { SessionTransitions } from './session-transitions';

/** The user's connected accounts as senders (the SenderSource behind ACCOUNT_SENDERS). */
@Injectable()
export class AccountSenders implements SenderSource {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly secrets: SessionSecrets,
    private readonly transitions: SessionTransitions,
  ) {}

  async standing(userId: number, sessionId: string): Promise<SenderStanding> {
    const row = await this.accounts.findForUser(userId, sessionId);
    if (!row) return 'not_found';
    return row.isActive && row.status === 'connected' && holdsSecret(row.sessionData) ? 'ready' : 'inactive';
  }

  async open(userId: number, sessionId: string): Promise<SessionRef | undefined> {
    const account = await this.accounts.findForUser(userId, sessionId);
    if (!account || !account.isActive || !holdsSecret(account.sessionData)) return undefined;
    const secret = await this.secrets.open(userId, account.sessionData);
    return { key: account.id, session: secret.session };
  }

  async markRevoked(userId: number, sessionId: string, error: TelegramSessionRevokedError): Promise<void> {
    const account = await this.accounts.findForUser(userId, sessionId);
    if (account?.isActive) await this.transitions.reconnectFailed(userId, account, error);
  }
}
