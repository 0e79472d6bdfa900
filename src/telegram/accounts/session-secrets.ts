import { Inject, Injectable } from '@nestjs/common';
import { isSecretEnvelope, SECRET_CIPHER, type SecretCipher } from '../../vault';
import { SessionStateError } from '../telegram.errors';
import type { EncryptedEnvelope } from './telegram-session.entity';

/** What `session_data` encrypts. Everything in it is a secret or close to one. */
export interface SessionSecret {
  /** The GramJS StringSession (DC, address, 256-byte auth key): the account's full credential once signed in. */
  session: string;
  /** auth.SendCode's hash, needed by auth.SignIn (pending phone logins). */
  phone_code_hash?: string;
  /** The QR login token last exported, base64url (pending QR logins). */
  qr_token?: string;
  /** How the pending code was sent, what a resend would use, and from when (ISO) it may be asked. */
  code_type?: string;
  next_code_type?: string | null;
  resend_after?: string | null;
}

/**
 * Seals and opens `session_data` through the one SECRET_CIPHER (Vault transit or the local
 * AES-GCM key ring), bound to the owning user id. The plaintext never leaves this process.
 */
@Injectable()
export class SessionSecrets {
  constructor(@Inject(SECRET_CIPHER) private readonly cipher: SecretCipher) {}

  async seal(userId: number, secret: SessionSecret): Promise<EncryptedEnvelope> {
    const envelope = await this.cipher.encrypt(JSON.stringify({ v: 1, ...secret }), userId);
    return { ...envelope };
  }

  async open(userId: number, data: EncryptedEnvelope): Promise<SessionSecret> {
    if (!isSecretEnvelope(data)) {
      throw new SessionStateError(
        'session_not_stored',
        'This session holds no stored credential any more; log in again',
      );
    }
    const parsed = JSON.parse(await this.cipher.decrypt(data, userId)) as Partial<SessionSecret>;
    if (typeof parsed.session !== 'string') {
      throw new SessionStateError('session_not_stored', 'The stored session is unreadable; log in again');
    }
    return {
      session: parsed.session,
      phone_code_hash: parsed.phone_code_hash,
      qr_token: parsed.qr_token,
      code_type: parsed.code_type,
      next_code_type: parsed.next_code_type,
      resend_after: parsed.resend_after,
    };
  }
}

export function holdsSecret(data: EncryptedEnvelope): boolean {
  return isSecretEnvelope(data);
}
