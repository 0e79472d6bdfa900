import type { TelegramUserInfo } from '../gateway/telegram-session-handle';
import type { EncryptedEnvelope } from './telegram-session.entity';

/** What the flows hand to AccountsRepository's transitions. */

/** A new phone-code login, after Telegram sent the code. */
export interface CodeSentLogin {
  /** Chosen by the caller, so a retried commit can tell whether the first one landed. */
  id: string;
  phone: string;
  sessionData: EncryptedEnvelope;
  dcId: number;
  codeViaApp: boolean;
  loginExpiresAt: Date;
}

/** A new QR login, after Telegram exported its first token. */
export interface QrPendingLogin {
  id: string;
  sessionData: EncryptedEnvelope;
  dcId: number;
  loginExpiresAt: Date;
  qrExpiresAt: Date;
}

/** A signed-in session as Telegram described it. */
export interface SignedInSession {
  sessionData: EncryptedEnvelope;
  user: TelegramUserInfo;
  dcId: number;
}

/** A row a new login of the same Telegram account removed; its key is logged out after the commit. */
export interface ReplacedSession {
  id: string;
  isActive: boolean;
  sessionData: EncryptedEnvelope;
}
