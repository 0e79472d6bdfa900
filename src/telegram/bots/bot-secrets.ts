import { Inject, Injectable } from '@nestjs/common';
import { isSecretEnvelope, SECRET_CIPHER, type SecretCipher } from '../../vault';
import type { EncryptedEnvelope } from '../accounts/telegram-session.entity';
import { BotInactiveError } from './bots.errors';

/**
 * Seals and opens a bot's two secrets — its token and its MTProto session — each in its own envelope
 * through the one SECRET_CIPHER, bound to the owning user id. The plaintext never leaves this process.
 */
@Injectable()
export class BotSecrets {
  constructor(@Inject(SECRET_CIPHER) private readonly cipher: SecretCipher) {}

  async sealToken(userId: number, token: string): Promise<EncryptedEnvelope> {
    return { ...(await this.cipher.encrypt(JSON.stringify({ v: 1, bot_token: token }), userId)) };
  }

  async sealSession(userId: number, session: string): Promise<EncryptedEnvelope> {
    return { ...(await this.cipher.encrypt(JSON.stringify({ v: 1, session }), userId)) };
  }

  async openToken(userId: number, data: EncryptedEnvelope): Promise<string> {
    return this.open(userId, data, 'bot_token');
  }

  async openSession(userId: number, data: EncryptedEnvelope): Promise<string> {
    return this.open(userId, data, 'session');
  }

  private async open(userId: number, data: EncryptedEnvelope, field: string): Promise<string> {
    if (!isSecretEnvelope(data)) throw new BotInactiveError('This bot holds no stored credential any more');
    const parsed = JSON.parse(await this.cipher.decrypt(data, userId)) as Record<string, unknown>;
    const value = parsed[field];
    if (typeof value !== 'string') throw new BotInactiveError('The stored bot credential is unreadable');
    return value;
  }
}

export function holdsBotSecret(data: EncryptedEnvelope): boolean {
  return isSecretEnvelope(data);
}
