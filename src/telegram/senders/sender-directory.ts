import { Inject, Injectable } from '@nestjs/common';
import type { SessionRef } from '../gateway/session-run';
import type { TelegramSessionRevokedError } from '../telegram.errors';

/** Who can send a message: one of the user's Telegram accounts (a session) or bots. */
export const SENDER_TYPES = ['account', 'bot'] as const;
export type SenderType = (typeof SENDER_TYPES)[number];

/** Where a sender stands for a new send: unknown to this user, unable to send, or ready. */
export type SenderStanding = 'not_found' | 'inactive' | 'ready';

/**
 * What a feature that owns senders (accounts, bots) offers to the features that act through
 * them, so these never touch its secrets, repository or state machine. Every method is scoped to
 * the owning user.
 */
export interface SenderSource {
  /** Whether the user's sender exists and could act now (checked before a send is queued or a sync starts). */
  standing(userId: number, senderId: string): Promise<SenderStanding>;
  /** The sender's gateway key and opened session; undefined when it cannot send any more. */
  open(userId: number, senderId: string): Promise<SessionRef | undefined>;
  /** Telegram refused the sender's credential: it turns revoked through its own transition (audit row, event). */
  markRevoked(userId: number, senderId: string, error: TelegramSessionRevokedError): Promise<void>;
}

/** Provided (and exported) by TelegramAccountsModule. */
export const ACCOUNT_SENDERS = Symbol('ACCOUNT_SENDERS');
/** Provided (and exported) by TelegramBotsModule. */
export const BOT_SENDERS = Symbol('BOT_SENDERS');

/** The port the send path and the channels ask for a sender by type: the accounts' or the bots' SenderSource. */
@Injectable()
export class SenderDirectory {
  private readonly sources: Record<SenderType, SenderSource>;

  constructor(@Inject(ACCOUNT_SENDERS) accounts: SenderSource, @Inject(BOT_SENDERS) bots: SenderSource) {
    this.sources = { account: accounts, bot: bots };
  }

  of(type: SenderType): SenderSource {
    return this.sources[type];
  }
}
