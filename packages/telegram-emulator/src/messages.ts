import { lookupAccount, type EmulatedAccount } from './accounts';
import type { EmulatedBot } from './bots';
import type { DialogWorld, EmulatedChat } from './dialogs';

/**
 * What the emulated chats received, and the rules of who may post where:
 * - an account posts in its own chats: in a broadcast channel only as creator or admin
 *   (CHAT_ADMIN_REQUIRED otherwise); in supergroups and basic groups as any member. Other users'
 *   chats: CHANNEL_PRIVATE (channels, supergroups) or PEER_ID_INVALID (basic groups).
 * - a bot is in the chats its users run (creator or admin: chats 1 and 3 of every user, and those
 *   created through the control route) as an admin; elsewhere CHANNEL_PRIVATE, or
 *   CHAT_WRITE_FORBIDDEN in a basic group.
 * - a supergroup whose user is a plain member (chat 4 of every user) has slow mode
 *   (`slowModeSeconds`, default 30): a second message within it answers SLOWMODE_WAIT_<left>.
 * - random_id is remembered per sender: the same id again answers RANDOM_ID_DUPLICATE.
 * - `floodNext` arms a one-shot FLOOD_WAIT_<seconds> on the sender's next send.
 */
export type EmulatedSender =
  | { readonly type: 'account'; readonly account: EmulatedAccount }
  | { readonly type: 'bot'; readonly bot: EmulatedBot };

export interface DeliveredMessage {
  readonly id: number;
  /** Bot API form (-100…, -…, or the user id). */
  readonly chatId: string;
  readonly text: string;
  readonly sender: { readonly type: 'account' | 'bot'; readonly id: string; readonly name: string };
  readonly randomId: string;
  readonly date: number;
  readonly media?: { readonly kind: 'photo' | 'document'; readonly name: string; readonly size: number };
}

export const senderKey = (s: EmulatedSender): string =>
  s.type === 'account' ? `account:${s.account.phone}` : `bot:${s.bot.botId}`;

/** The bot API id of a chat. */
export const botApiChatId = (chat: EmulatedChat): string =>
  chat.kind === 'group' ? `-${chat.id}` : `-100${chat.id}`;

/** The chat with this bare id and the emulated user whose dialogs hold it (ids encode the user). */
export function findChat(
  dialogs: DialogWorld,
  bareId: bigint,
): { owner: EmulatedAccount; chat: EmulatedChat } | undefined {
  const n = bareId - 1_000_000_000_000n;
  if (n < 0n) return undefined;
  const rest = n / 10_000n;
  const dc = rest / 10_000n;
  const suffix = (rest % 10_000n).toString().padStart(4, '0');
  const owner = lookupAccount(`99966${dc}${suffix}`);
  const chat = owner ? dialogs.chatOf(owner, bareId) : undefined;
  return owner && chat ? { owner, chat } : undefined;
}

/** Why the sender may not post in the chat (a Telegram error text), or undefined when it may. */
export function postingRefusal(
  sender: EmulatedSender,
  owner: EmulatedAccount,
  chat: EmulatedChat,
): string | undefined {
  if (sender.type === 'bot') {
    if (chat.role === 'creator' || chat.role === 'admin') return undefined;
    return chat.kind === 'group' ? 'CHAT_WRITE_FORBIDDEN' : 'CHANNEL_PRIVATE';
  }
  if (sender.account.phone !== owner.phone)
    return chat.kind === 'group' ? 'PEER_ID_INVALID' : 'CHANNEL_PRIVATE';
  if (chat.kind === 'channel' && chat.role === 'member') return 'CHAT_ADMIN_REQUIRED';
  return undefined;
}

export const hasSlowMode = (chat: EmulatedChat): boolean =>
  chat.kind === 'supergroup' && chat.role === 'member';

export class MessageWorld {
  private readonly histories = new Map<string, DeliveredMessage[]>();
  private readonly randomIds = new Map<string, Set<string>>();
  private readonly floods = new Map<string, number>();
  private readonly lastPost = new Map<string, number>();
  /** Upload parts by `${authKeyRef}:${fileId}`: part number → size. */
  private readonly uploads = new Map<string, { parts: Map<number, number>; head: Buffer }>();

  constructor(readonly slowModeSeconds: number) {}

  /** The sender's next send answers FLOOD_WAIT_<seconds> (once). */
  floodNext(key: string, seconds: number): void {
    this.floods.set(key, seconds);
  }

  takeFlood(key: string): number | undefined {
    const seconds = this.floods.get(key);
    this.floods.delete(key);
    return seconds;
  }

  isDuplicate(key: string, randomId: string): boolean {
    return this.randomIds.get(key)?.has(randomId) ?? false;
  }

  /** Seconds of slow mode left for this sender in this chat (0: may post). */
  slowModeLeft(key: string, chatId: string, nowMs: number): number {
    const last = this.lastPost.get(`${key}|${chatId}`);
    if (last === undefined) return 0;
    return Math.max(0, Math.ceil((last + this.slowModeSeconds * 1000 - nowMs) / 1000));
  }

  deliver(key: string, nowMs: number, message: Omit<DeliveredMessage, 'id'>): DeliveredMessage {
    const history = this.histories.get(message.chatId) ?? [];
    const stored = { ...message, id: history.length + 100 };
    history.push(stored);
    this.histories.set(message.chatId, history);
    const ids = this.randomIds.get(key) ?? new Set<string>();
    ids.add(message.randomId);
    this.randomIds.set(key, ids);
    this.lastPost.set(`${key}|${message.chatId}`, nowMs);
    return stored;
  }

  history(chatId: string): readonly DeliveredMessage[] {
    return this.histories.get(chatId) ?? [];
  }

  savePart(upload: string, part: number, bytes: Buffer): void {
    const stored = this.uploads.get(upload) ?? { parts: new Map<number, number>(), head: Buffer.alloc(0) };
    stored.parts.set(part, bytes.length);
    if (part === 0) stored.head = Buffer.from(bytes.subarray(0, 8));
    this.uploads.set(upload, stored);
  }

  /** The uploaded file (size, first bytes) when all `parts` parts are there (then forgotten). */
  takeUpload(upload: string, parts: number): { size: number; head: Buffer } | undefined {
    const stored = this.uploads.get(upload);
    if (!stored || stored.parts.size !== parts) return undefined;
    for (let i = 0; i < parts; i++) if (!stored.parts.has(i)) return undefined;
    this.uploads.delete(upload);
    return { size: [...stored.parts.values()].reduce((a, b) => a + b, 0), head: stored.head };
  }
}
