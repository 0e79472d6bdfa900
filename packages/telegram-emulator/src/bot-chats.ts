import { lookupAccount } from './accounts';
import type { DialogWorld, EmulatedChat } from './dialogs';

/**
 * Which bots are in which chats (`POST /api/v1/dev/telegram-emulator/chats/add-bot`), and how a chat
 * is found from its id or username alone — what a bot, which cannot list its dialogs, has to go by.
 * A chat id encodes its owner (see dialogs.ts: 10^12 + (DC × 10^4 + YYYY) × 10^4 + index), so any
 * emulated chat can be looked up from the id; usernames are `emu_chat_<id>`.
 */
export interface BotMembership {
  readonly admin: boolean;
}

const CHAT_USERNAME = /^emu_chat_(\d{1,19})$/;

/** The chat with this bare id (no -100 prefix), wherever it lives in this world. */
export function findChat(dialogs: DialogWorld, id: bigint): EmulatedChat | undefined {
  const n = id - 1_000_000_000_000n;
  if (n < 0n) return undefined;
  const owner = n / 10_000n;
  const dc = owner / 10_000n;
  const suffix = (owner % 10_000n).toString().padStart(4, '0');
  const account = lookupAccount(`99966${dc}${suffix}`);
  return account && dialogs.chatOf(account, id);
}

/** The public chat with this username (`emu_chat_<id>`, case-insensitive), if it has one. */
export function findChatByUsername(dialogs: DialogWorld, username: string): EmulatedChat | undefined {
  const match = CHAT_USERNAME.exec(username.toLowerCase());
  const chat = match ? findChat(dialogs, BigInt(match[1])) : undefined;
  return chat?.username?.toLowerCase() === username.toLowerCase() ? chat : undefined;
}

export class BotChatMembers {
  private readonly members = new Map<string, Map<string, BotMembership>>();

  add(chatId: bigint, botId: bigint, admin: boolean): void {
    const key = chatId.toString();
    let bots = this.members.get(key);
    if (!bots) this.members.set(key, (bots = new Map()));
    bots.set(botId.toString(), { admin });
  }

  of(chatId: bigint, botId: bigint): BotMembership | undefined {
    return this.members.get(chatId.toString())?.get(botId.toString());
  }
}
