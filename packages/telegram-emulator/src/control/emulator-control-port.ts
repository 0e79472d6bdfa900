import { lookupAccount } from '../accounts';
import type { EmulatedChatKind } from '../dialogs';
import type { DeliveredMessage } from '../messages';
import type { TelegramEmulator } from '../emulator';
import { EmulatorControlError } from '../errors';
import type { RevocationReason } from '../world-state';

/**
 * Bare id of a Bot API chat id: `-100<id>` of a channel or supergroup (at least 13 digits, no zero after the
 * prefix: a basic group's `-<id>` can itself begin with -100, the emulator's group ids being 13 digits) → id,
 * `-<id>` → id.
 */
export function bareChatId(chatId: string): bigint {
  const channel = /^-100[1-9]\d*$/.test(chatId) && chatId.length >= 14;
  return BigInt(channel ? chatId.slice(4) : chatId.slice(1));
}

/** A chat an emulated user created (chat_id in the Bot API style: -100<id> or -<id>). */
export interface EmulatorCreatedChat {
  readonly chatId: string;
  readonly kind: EmulatedChatKind;
  readonly title: string;
}

/** Which connections a network fault hits: one auth key (hex auth_key_id) or every key signed in as a phone. */
export interface FaultTarget {
  readonly authKeyId?: string;
  readonly phone?: string;
}

export type FaultRequest =
  | { readonly fault: 'drop'; readonly target: FaultTarget }
  | { readonly fault: 'stall'; readonly target: FaultTarget; readonly on: boolean }
  | { readonly fault: 'delay'; readonly target: FaultTarget; readonly ms: number };

/**
 * What the development routes do to the emulated world: the same operations whether the world lives in this
 * process (LocalEmulatorControl) or in an emulator server process (RemoteEmulatorControl, over its control port).
 */
export interface EmulatorControlPort {
  revokeSessions(sessions: readonly string[], phone: string, reason: RevocationReason): Promise<number>;
  /** Throws EmulatorControlError (AUTH_TOKEN_INVALID / _EXPIRED / _ALREADY_ACCEPTED, PHONE_NUMBER_INVALID). */
  scanQrToken(token: string, phone: string): Promise<void>;
  /** undefined: no such bot. */
  revokeBotToken(token: string): Promise<number | undefined>;
  /** undefined: no emulated user has this phone. */
  createChat(phone: string, kind: EmulatedChatKind, title: string): Promise<EmulatorCreatedChat | undefined>;
  leaveChat(phone: string, chatId: string): Promise<boolean>;
  /** One bot (Telegram user id) joins a chat (-100<id> / -<id>), as a member or an admin; false: no such chat. */
  addBotToChat(chatId: string, botUserId: string, admin: boolean): Promise<boolean>;
  /** The user's DC forgets their keys (only those of `sessions` when given): −404 from now on. */
  forgetKeys(phone: string, sessions?: readonly string[]): Promise<number>;
  /** The user's home DC moves; false: no such user or DC. */
  migrateUser(phone: string, dc: number): Promise<boolean>;
  /** The sender's (`account:<phone>` / `bot:<id>`) next send answers FLOOD_WAIT_<seconds>. */
  floodNext(sender: string, seconds: number): Promise<void>;
  /** What a chat (Bot API id) received, oldest first. */
  chatMessages(chatId: string): Promise<readonly DeliveredMessage[]>;
  /** Network faults; undefined when the world is in process (there is no network to break). */
  fault(request: FaultRequest): Promise<number | undefined>;
}

/** Runs the control operations on a world object (in process, or inside the emulator server process). */
export class LocalEmulatorControl implements EmulatorControlPort {
  constructor(
    readonly world: TelegramEmulator,
    private readonly faults?: (request: FaultRequest) => number,
  ) {}

  revokeSessions(sessions: readonly string[], phone: string, reason: RevocationReason): Promise<number> {
    return Promise.resolve(this.world.revokeSessions(sessions, phone, reason));
  }

  scanQrToken(token: string, phone: string): Promise<void> {
    try {
      this.world.scanQrToken(token, phone);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof EmulatorControlError ? error : new Error(String(error)));
    }
  }

  revokeBotToken(token: string): Promise<number | undefined> {
    return Promise.resolve(this.world.revokeBotToken(token));
  }

  createChat(phone: string, kind: EmulatedChatKind, title: string): Promise<EmulatorCreatedChat | undefined> {
    const account = lookupAccount(phone);
    if (!account) return Promise.resolve(undefined);
    const chat = this.world.dialogs.createChat(account, kind, title, Math.floor(this.world.now() / 1000));
    return Promise.resolve({
      chatId: chat.kind === 'group' ? `-${chat.id}` : `-100${chat.id}`,
      kind: chat.kind,
      title: chat.title,
    });
  }

  leaveChat(phone: string, chatId: string): Promise<boolean> {
    const account = lookupAccount(phone);
    return Promise.resolve(account ? this.world.dialogs.leave(account, bareChatId(chatId)) : false);
  }

  addBotToChat(chatId: string, botUserId: string, admin: boolean): Promise<boolean> {
    return Promise.resolve(this.world.addBotToChat(bareChatId(chatId), BigInt(botUserId), admin));
  }

  forgetKeys(phone: string, sessions?: readonly string[]): Promise<number> {
    return Promise.resolve(this.world.forgetKeys(phone, sessions));
  }

  migrateUser(phone: string, dc: number): Promise<boolean> {
    return Promise.resolve(this.world.migrateUser(phone, dc));
  }

  floodNext(sender: string, seconds: number): Promise<void> {
    this.world.messages.floodNext(sender, seconds);
    return Promise.resolve();
  }

  chatMessages(chatId: string): Promise<readonly DeliveredMessage[]> {
    return Promise.resolve(this.world.messages.history(chatId));
  }

  fault(request: FaultRequest): Promise<number | undefined> {
    return Promise.resolve(this.faults?.(request));
  }
}
