import { Injectable } from '@nestjs/common';
import { AccountsRepository } from '../telegram/accounts/accounts.repository';
import { normalizePhone } from '../telegram/accounts/phone';
import { BotsRepository } from '../telegram/bots/bots.repository';
import { bareChatId } from '../telegram/channels/bot-chat.dto';
import { lookupAccount } from '@integration-service/telegram-emulator';

const CHAT_ID_BASE = 1_000_000_000_000n;
const USER_ID_BASE = 7_000_000_000n;

/**
 * The emulated user a chat belongs to, read from its id (packages/telegram-emulator/src/dialogs.ts numbers
 * every channel and group per owner: 10^12 + (DC × 10^4 + YYYY) × 10^4 + index; a private chat is
 * the user's id, 7·10^9 + DC × 10^4 + YYYY). Undefined for an id no emulated user can own.
 */
export function emulatedChatOwner(chatId: string): string | undefined {
  let number: bigint;
  if (chatId.startsWith('-')) {
    if (!/^-\d{1,20}$/.test(chatId)) return undefined;
    const n = bareChatId(chatId) - CHAT_ID_BASE;
    if (n < 0n) return undefined;
    number = n / 10_000n;
  } else {
    if (!/^\d{1,20}$/.test(chatId)) return undefined;
    number = BigInt(chatId) - USER_ID_BASE;
    if (number < 0n) return undefined;
  }
  const dc = number / 10_000n;
  const suffix = (number % 10_000n).toString().padStart(4, '0');
  return lookupAccount(`99966${dc}${suffix}`)?.phone;
}

/**
 * Which emulated chats, users and bots belong to a platform user (development routes): an emulated
 * user is theirs when one of their accounts holds a session with that phone; a chat is theirs when
 * its owner (creator) is; a bot when it is one of their /telegram/bots rows.
 */
@Injectable()
export class EmulatedChatAccess {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly bots: BotsRepository,
  ) {}

  async ownsPhone(userId: number, phone: string): Promise<boolean> {
    return (await this.accounts.findHoldingSecretForPhone(userId, normalizePhone(phone))).length > 0;
  }

  /** Whether the chat's owner (or, for a private chat, its user) is one of the caller's accounts. */
  async ownsChat(userId: number, chatId: string): Promise<boolean> {
    const owner = emulatedChatOwner(chatId);
    return owner !== undefined && this.ownsPhone(userId, owner);
  }

  /** A predicate for "this sender (`account` phone or `bot` Telegram id) is one of the caller's". */
  async ownSenders(userId: number): Promise<(sender: { type: string; id: string }) => Promise<boolean>> {
    const botIds = new Set((await this.bots.listForUser(userId, false)).map((b) => b.telegramBotId));
    const phones = new Map<string, Promise<boolean>>();
    return (sender) => {
      if (sender.type === 'bot') return Promise.resolve(botIds.has(sender.id));
      let owned = phones.get(sender.id);
      if (!owned) phones.set(sender.id, (owned = this.ownsPhone(userId, sender.id)));
      return owned;
    };
  }
}
