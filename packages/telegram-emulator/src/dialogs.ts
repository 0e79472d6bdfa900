import { createHash } from 'node:crypto';
import type { EmulatedAccount } from './accounts';

/**
 * Every emulated user's dialogs, deterministic. The base set (chat index i):
 *   1 broadcast channel, creator (participants_count given)
 *   2 broadcast channel, subscriber only (participants_count only via channels.getFullChannel)
 *   3 supergroup, admin with post_messages
 *   4 supergroup, member (participants_count only via channels.getFullChannel)
 *   5 basic group (Chat), member
 *   + 3 private chats with other emulated users.
 * Users whose YYYY is 3000–3999 have 1,500 dialogs: the base set, then channels, supergroups and
 * basic groups in turn. Chats created with `createChat` come first (newest top message);
 * `leave` removes one from the user's dialogs.
 */
export type EmulatedChatKind = 'channel' | 'supergroup' | 'group';
export type EmulatedRole = 'creator' | 'admin' | 'member';

export interface EmulatedChat {
  readonly kind: EmulatedChatKind;
  /** The bare id (channel_id / chat_id), without the -100 prefix. */
  readonly id: bigint;
  readonly accessHash: bigint;
  readonly title: string;
  readonly username?: string;
  readonly role: EmulatedRole;
  readonly participants: number;
  /** False: the Channel object omits participants_count (channels.getFullChannel has it). */
  readonly countInDialog: boolean;
  /** Top message: id and date (seconds). */
  readonly topMessageId: number;
  readonly date: number;
}

export interface EmulatedPrivateChat {
  readonly kind: 'private';
  readonly userPhone: string;
  readonly topMessageId: number;
  readonly date: number;
}

export type EmulatedDialog = EmulatedChat | EmulatedPrivateChat;

export const LARGE_DIALOG_COUNT = 1500;
const BASE_DATE = 1_764_000_000;
const KINDS: readonly EmulatedChatKind[] = ['channel', 'supergroup', 'group'];

const hashOf = (text: string): bigint => createHash('sha256').update(text).digest().readBigInt64LE(0);

/** Chat ids are per user: 10^12 + (home DC × 10^4 + YYYY) × 10^4 + index. */
function chatIdOf(account: EmulatedAccount, index: number): bigint {
  return 1_000_000_000_000n + BigInt(account.homeDcId * 10_000 + account.suffix) * 10_000n + BigInt(index);
}

function chat(
  account: EmulatedAccount,
  index: number,
  kind: EmulatedChatKind,
  role: EmulatedRole,
  countInDialog: boolean,
): EmulatedChat {
  const id = chatIdOf(account, index);
  return {
    kind,
    id,
    accessHash: hashOf(`emulator-chat:${id}`),
    title: `${kind === 'channel' ? 'Channel' : kind === 'supergroup' ? 'Supergroup' : 'Group'} ${index} of ${account.firstName}`,
    username: kind !== 'group' && index % 2 === 1 ? `emu_chat_${id}` : undefined,
    role,
    participants: kind === 'group' ? 7 : 1000 + index * 3,
    countInDialog,
    topMessageId: index,
    date: BASE_DATE - index * 60,
  };
}

function baseDialogs(account: EmulatedAccount): EmulatedDialog[] {
  const dialogs: EmulatedDialog[] = [
    chat(account, 1, 'channel', 'creator', true),
    chat(account, 2, 'channel', 'member', false),
    chat(account, 3, 'supergroup', 'admin', true),
    chat(account, 4, 'supergroup', 'member', false),
    chat(account, 5, 'group', 'member', true),
  ];
  for (let i = 6; i <= 8; i++) {
    const other = ((account.suffix + i) % 10_000).toString().padStart(4, '0');
    dialogs.push({
      kind: 'private',
      userPhone: `99966${account.homeDcId}${other}`,
      topMessageId: i,
      date: BASE_DATE - i * 60,
    });
  }
  return dialogs;
}

function generatedDialogs(account: EmulatedAccount): EmulatedDialog[] {
  const dialogs = baseDialogs(account);
  if (account.suffix < 3000 || account.suffix > 3999) return dialogs;
  for (let i = dialogs.length + 1; dialogs.length < LARGE_DIALOG_COUNT; i++) {
    const kind = KINDS[i % 3];
    dialogs.push(chat(account, i, kind, i % 7 === 0 ? 'admin' : 'member', i % 5 !== 0));
  }
  return dialogs;
}

/** The dialogs of one emulator world: generated ones, minus those left, plus those created. */
export class DialogWorld {
  private readonly created = new Map<string, EmulatedChat[]>();
  private readonly left = new Map<string, Set<string>>();
  private nextIndex = 9000;
  /** Control: after `pages` messages.getDialogs requests of this phone, answer FLOOD_WAIT_`seconds`. */
  private flood?: { phone: string; pages: number; seconds: number; seen: number };

  floodDialogsAfter(phone: string, pages: number, seconds: number): void {
    this.flood = { phone, pages, seconds, seen: 0 };
  }

  /** Counts a getDialogs request; the flood wait to answer, if the control says so. */
  floodCheck(account: EmulatedAccount): number | undefined {
    const flood = this.flood;
    if (!flood || flood.phone !== account.phone) return undefined;
    flood.seen++;
    if (flood.seen <= flood.pages) return undefined;
    this.flood = undefined;
    return flood.seconds;
  }

  dialogsOf(account: EmulatedAccount): EmulatedDialog[] {
    const left = this.left.get(account.phone) ?? new Set<string>();
    const all = [...(this.created.get(account.phone) ?? []), ...generatedDialogs(account)];
    return all.filter((d) => d.kind === 'private' || !left.has(d.id.toString()));
  }

  chatOf(account: EmulatedAccount, id: bigint): EmulatedChat | undefined {
    return this.dialogsOf(account).find((d): d is EmulatedChat => d.kind !== 'private' && d.id === id);
  }

  /** A new chat with the user as its creator; its top message is the newest. */
  createChat(
    account: EmulatedAccount,
    kind: EmulatedChatKind,
    title: string,
    nowSeconds: number,
  ): EmulatedChat {
    const index = this.nextIndex++;
    const made: EmulatedChat = {
      ...chat(account, index, kind, 'creator', true),
      title,
      participants: 1,
      date: nowSeconds,
    };
    const list = this.created.get(account.phone) ?? [];
    list.unshift(made);
    this.created.set(account.phone, list);
    return made;
  }

  /** The user leaves the chat; false when they were not in it. */
  leave(account: EmulatedAccount, id: bigint): boolean {
    if (!this.chatOf(account, id)) return false;
    const left = this.left.get(account.phone) ?? new Set<string>();
    left.add(id.toString());
    this.left.set(account.phone, left);
    return true;
  }
}
