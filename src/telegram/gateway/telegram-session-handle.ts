import { computeCheck, returnBigInt, type StringSession } from './gramjs';
import { Api, type TelegramClient } from 'telegram';
import {
  TelegramAuthRestartError,
  TelegramPasswordNeededError,
  TelegramRejectedError,
  TelegramUnavailableError,
} from '../telegram.errors';
import type { TelegramApiCredentials } from '../credentials/telegram-credentials.provider';
import { findBotChat } from './telegram-bot-chats';
import { DIALOGS_PAGE_SIZE, readDialogsPage, type TelegramChatInfo } from './telegram-dialogs';
import { TelegramMessaging } from './telegram-messaging';

/** The signed-in Telegram user, as plain data (no GramJS types leave the gateway). */
export interface TelegramUserInfo {
  /** Telegram's user id (a 64-bit integer, as a decimal string). */
  id: string;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  /** Digits only, as Telegram stores it. */
  phone: string | null;
  /**
   * auth.authorization's setup_password_required: Telegram logs the account out after this many days
   * (otherwise_relogin_days; null when not given) unless a 2FA password is set up. Absent otherwise.
   */
  setupPasswordWithinDays?: number | null;
}

/** A bot as Telegram describes it (users.getUsers self after auth.importBotAuthorization). */
export interface TelegramBotInfo {
  /** The bot's user id (a 64-bit integer, as a decimal string). */
  id: string;
  username: string;
  firstName: string | null;
  /** False when the bot may not be added to groups (`bot_nochats`). */
  canJoinGroups: boolean;
  /** True when privacy mode is off (`bot_chat_history`). */
  canReadAllGroupMessages: boolean;
}

function botInfo(user: Api.TypeUser | undefined): TelegramBotInfo {
  if (!(user instanceof Api.User) || !user.bot || !user.username) {
    throw new TelegramUnavailableError('Telegram answered without the bot', 'bad_response');
  }
  return {
    id: user.id.toString(),
    username: user.username,
    firstName: user.firstName ?? null,
    canJoinGroups: !user.botNochats,
    canReadAllGroupMessages: user.botChatHistory === true,
  };
}

/** auth.SendCode attempts while Telegram answers AUTH_RESTART (GramJS's own client.sendCode loops forever). */
export const AUTH_RESTART_ATTEMPTS = 3;

/** How Telegram delivered a login code (auth.SentCodeType), or will on auth.resendCode (auth.CodeType). */
export type CodeType =
  | 'app'
  | 'sms'
  | 'call'
  | 'flash_call'
  | 'missed_call'
  | 'email'
  | 'email_setup_required'
  | 'fragment_sms'
  | 'firebase_sms'
  | 'sms_word'
  | 'sms_phrase'
  | 'unknown';

/** auth.sentCode as plain data. */
export interface SentCodeInfo {
  phoneCodeHash: string;
  type: CodeType;
  /** What auth.resendCode would send next (`next_type`), null when nothing. */
  nextType: CodeType | null;
  /** Seconds before auth.resendCode may be used (`timeout`), null when not given. */
  timeoutSeconds: number | null;
}

const SENT_CODE_TYPES: [new (...args: never) => unknown, CodeType][] = [
  [Api.auth.SentCodeTypeApp, 'app'],
  [Api.auth.SentCodeTypeSms, 'sms'],
  [Api.auth.SentCodeTypeCall, 'call'],
  [Api.auth.SentCodeTypeFlashCall, 'flash_call'],
  [Api.auth.SentCodeTypeMissedCall, 'missed_call'],
  [Api.auth.SentCodeTypeEmailCode, 'email'],
  [Api.auth.SentCodeTypeSetUpEmailRequired, 'email_setup_required'],
  [Api.auth.SentCodeTypeFragmentSms, 'fragment_sms'],
  [Api.auth.SentCodeTypeFirebaseSms, 'firebase_sms'],
  [Api.auth.SentCodeTypeSmsWord, 'sms_word'],
  [Api.auth.SentCodeTypeSmsPhrase, 'sms_phrase'],
  [Api.auth.CodeTypeSms, 'sms'],
  [Api.auth.CodeTypeCall, 'call'],
  [Api.auth.CodeTypeFlashCall, 'flash_call'],
  [Api.auth.CodeTypeMissedCall, 'missed_call'],
  [Api.auth.CodeTypeFragmentSms, 'fragment_sms'],
];

function codeTypeOf(type: unknown): CodeType {
  return SENT_CODE_TYPES.find(([cls]) => type instanceof cls)?.[1] ?? 'unknown';
}

function sentCodeInfo(sent: Api.auth.TypeSentCode): SentCodeInfo {
  if (!(sent instanceof Api.auth.SentCode)) {
    // auth.sentCodeSuccess: signed in without a code (future auth tokens, which this service never sends).
    throw new TelegramUnavailableError('Telegram answered a code request unexpectedly', 'bad_response');
  }
  return {
    phoneCodeHash: sent.phoneCodeHash,
    type: codeTypeOf(sent.type),
    nextType: sent.nextType ? codeTypeOf(sent.nextType) : null,
    timeoutSeconds: sent.timeout ?? null,
  };
}

export type SignInOutcome = { kind: 'signed_in'; user: TelegramUserInfo } | { kind: 'password_needed' };

export type QrOutcome =
  | { kind: 'waiting'; token: Buffer; expiresAt: Date }
  | { kind: 'signed_in'; user: TelegramUserInfo }
  | { kind: 'password_needed' };

/** Runs one GramJS call under the gateway's timeout, metrics and error mapping. */
export type TelegramCall = <T>(operation: string, fn: () => Promise<T>) => Promise<T>;

function userInfo(user: Api.TypeUser | undefined): TelegramUserInfo {
  if (!(user instanceof Api.User)) {
    throw new TelegramUnavailableError('Telegram answered without the signed-in user', 'bad_response');
  }
  return {
    id: user.id.toString(),
    username: user.username ?? null,
    firstName: user.firstName ?? null,
    lastName: user.lastName ?? null,
    phone: user.phone ?? null,
  };
}

function fromAuthorization(auth: Api.auth.TypeAuthorization): TelegramUserInfo {
  if (auth instanceof Api.auth.AuthorizationSignUpRequired) {
    throw new TelegramRejectedError(
      'unprocessable',
      'phone_number_unoccupied',
      'No Telegram account uses this phone number (signing up is not supported here)',
      'PHONE_NUMBER_UNOCCUPIED',
    );
  }
  const user = userInfo(auth.user);
  return auth.setupPasswordRequired
    ? { ...user, setupPasswordWithinDays: auth.otherwiseReloginDays ?? null }
    : user;
}

/**
 * One connected client, lent to a service for the duration of `TelegramGateway.run`. Each method is
 * one step of a flow, bounded and mapped; the service composes them under the session's lock.
 */
export class TelegramSessionHandle {
  constructor(
    private readonly client: TelegramClient,
    private readonly session: StringSession,
    private readonly credentials: TelegramApiCredentials,
    private readonly call: TelegramCall,
  ) {}

  /** The DC the session is on now (it moves during PHONE_MIGRATE / QR migration). */
  get dcId(): number {
    return this.session.dcId;
  }

  /** The StringSession as it stands now: the account's full credential once signed in. Encrypt it at once. */
  save(): string {
    return this.session.save();
  }

  /**
   * auth.SendCode (PHONE_MIGRATE handled inside GramJS's invoke: the session may move to another
   * DC). Invoked directly rather than through `client.sendCode`, which hides the code type and
   * retries AUTH_RESTART without a bound; here at most AUTH_RESTART_ATTEMPTS times.
   */
  async sendCode(phone: string): Promise<SentCodeInfo> {
    for (let attempt = 1; ; attempt++) {
      try {
        const sent = await this.call('auth.SendCode', () =>
          this.client.invoke(
            new Api.auth.SendCode({
              phoneNumber: phone,
              apiId: this.credentials.apiId,
              apiHash: this.credentials.apiHash,
              settings: new Api.CodeSettings({}),
            }),
          ),
        );
        return sentCodeInfo(sent);
      } catch (error) {
        // AUTH_RESTART: ask again, at most AUTH_RESTART_ATTEMPTS times in all; then it is a 503.
        if (!(error instanceof TelegramAuthRestartError) || attempt >= AUTH_RESTART_ATTEMPTS) throw error;
      }
    }
  }

  /** auth.ResendCode: the code again, by the `next_type` the last answer announced. */
  async resendCode(phone: string, phoneCodeHash: string): Promise<SentCodeInfo> {
    const sent = await this.call('auth.ResendCode', () =>
      this.client.invoke(new Api.auth.ResendCode({ phoneNumber: phone, phoneCodeHash })),
    );
    return sentCodeInfo(sent);
  }

  /** auth.SignIn with the code; SESSION_PASSWORD_NEEDED is an outcome, not an error. */
  async signIn(phone: string, phoneCodeHash: string, code: string): Promise<SignInOutcome> {
    try {
      const auth = await this.call('auth.SignIn', () =>
        this.client.invoke(new Api.auth.SignIn({ phoneNumber: phone, phoneCodeHash, phoneCode: code })),
      );
      return { kind: 'signed_in', user: fromAuthorization(auth) };
    } catch (error) {
      if (error instanceof TelegramPasswordNeededError) return { kind: 'password_needed' };
      throw error;
    }
  }

  /**
   * account.GetPassword → SRP (computeCheck) → auth.CheckPassword, all in this one call: the srpId
   * is single-use, so the three steps must not be split across requests.
   */
  async checkPassword(password: string): Promise<TelegramUserInfo> {
    const params = await this.call('account.GetPassword', () =>
      this.client.invoke(new Api.account.GetPassword()),
    );
    const check = await computeCheck(params, password);
    const auth = await this.call('auth.CheckPassword', () =>
      this.client.invoke(new Api.auth.CheckPassword({ password: check })),
    );
    return fromAuthorization(auth);
  }

  /**
   * auth.ExportLoginToken: the token to show (still waiting), or the login's end. LoginTokenMigrateTo
   * (the scanning user lives on another DC) switches DC and imports the token there.
   */
  async exportLoginToken(): Promise<QrOutcome> {
    try {
      let result = await this.call('auth.ExportLoginToken', () =>
        this.client.invoke(
          new Api.auth.ExportLoginToken({
            apiId: this.credentials.apiId,
            apiHash: this.credentials.apiHash,
            exceptIds: [],
          }),
        ),
      );
      if (result instanceof Api.auth.LoginTokenMigrateTo) {
        const { dcId, token } = result;
        forgetLoadedKey(this.session);
        await this.call('switchDC', () => this.client._switchDC(dcId));
        result = await this.call('auth.ImportLoginToken', () =>
          this.client.invoke(new Api.auth.ImportLoginToken({ token })),
        );
      }
      if (result instanceof Api.auth.LoginToken) {
        return {
          kind: 'waiting',
          token: Buffer.from(result.token),
          expiresAt: new Date(result.expires * 1000),
        };
      }
      if (result instanceof Api.auth.LoginTokenSuccess) {
        return { kind: 'signed_in', user: fromAuthorization(result.authorization) };
      }
      throw new TelegramUnavailableError('Telegram asked to migrate the QR login twice', 'bad_response');
    } catch (error) {
      if (error instanceof TelegramPasswordNeededError) return { kind: 'password_needed' };
      throw error;
    }
  }

  /** users.getFullUser(self): proves an imported session works and says whose it is (and whether a bot's). */
  async getFullSelf(): Promise<{ user: TelegramUserInfo; isBot: boolean }> {
    const full = await this.call('users.GetFullUser(self)', () =>
      this.client.invoke(new Api.users.GetFullUser({ id: new Api.InputUserSelf() })),
    );
    const self = full.users.find((u) => u instanceof Api.User && u.self) ?? full.users[0];
    return { user: userInfo(self), isBot: self instanceof Api.User && self.bot === true };
  }

  /** users.getUsers([self]): proves the session works. */
  async getMe(): Promise<TelegramUserInfo> {
    return userInfo(await this.call('users.GetUsers(self)', () => this.client.getMe(false)));
  }

  /**
   * auth.importBotAuthorization: this (new) session becomes the bot's. USER_MIGRATE_X (the bot lives
   * on another DC) is handled inside GramJS's invoke. Then users.getUsers(self) reads the bot.
   */
  async importBotAuthorization(botToken: string): Promise<TelegramBotInfo> {
    await this.call('auth.ImportBotAuthorization', () =>
      this.client.invoke(
        new Api.auth.ImportBotAuthorization({
          flags: 0,
          apiId: this.credentials.apiId,
          apiHash: this.credentials.apiHash,
          botAuthToken: botToken,
        }),
      ),
    );
    return this.getBotSelf();
  }

  /** users.getUsers([self]) for a bot session: proves the bot's authorization still works. */
  async getBotSelf(): Promise<TelegramBotInfo> {
    const [self] = await this.call('users.GetUsers(self)', () =>
      this.client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] })),
    );
    return botInfo(self);
  }

  /**
   * Every channel and group of the account: all pages of messages.getDialogs, then
   * channels.getFullChannel for each channel whose dialog lacks participants_count. Nothing is
   * returned until every page is read, so a FLOOD_WAIT midway leaves the caller nothing half-read.
   */
  async listChats(): Promise<{ chats: TelegramChatInfo[]; calls: number }> {
    const byId = new Map<string, TelegramChatInfo>();
    let calls = 0;
    let seen = 0;
    let offset = { offsetDate: 0, offsetId: 0, offsetPeer: new Api.InputPeerEmpty() as Api.TypeInputPeer };
    for (;;) {
      const request = new Api.messages.GetDialogs({
        ...offset,
        limit: DIALOGS_PAGE_SIZE,
        hash: returnBigInt(0),
      });
      const answer = await this.call('messages.GetDialogs', () => this.client.invoke(request));
      calls++;
      const page = readDialogsPage(answer, DIALOGS_PAGE_SIZE, seen);
      seen += page.dialogs;
      for (const chat of page.chats) if (!byId.has(chat.chatId)) byId.set(chat.chatId, chat);
      if (!page.next) break;
      offset = page.next;
    }
    for (const chat of byId.values()) {
      if (chat.membersCount !== null || chat.kind === 'group' || chat.accessHash === null) continue;
      const input = new Api.InputChannel({
        channelId: returnBigInt(chat.chatId.slice(4)),
        accessHash: returnBigInt(chat.accessHash),
      });
      const full = await this.call('channels.GetFullChannel', () =>
        this.client.invoke(new Api.channels.GetFullChannel({ channel: input })),
      );
      calls++;
      if (full.fullChat instanceof Api.ChannelFull)
        chat.membersCount = full.fullChat.participantsCount ?? null;
    }
    return { chats: [...byId.values()], calls };
  }

  /** For a bot session: the chat `ref` names (`@username`, `-100<id>`, `-<id>`), if the bot is in it. */
  botChat(ref: string): Promise<TelegramChatInfo> {
    return findBotChat(this.client, this.call, ref);
  }

  /** updates.GetState: the cheapest call that needs a signed-in key (the session watchdog's probe). */
  async getState(): Promise<void> {
    await this.call('updates.GetState', () => this.client.invoke(new Api.updates.GetState()));
  }

  /** Sending messages and media with this client (messages.sendMessage / sendMedia, uploads). */
  messaging(): TelegramMessaging {
    return new TelegramMessaging(this.client, this.call);
  }

  /** auth.LogOut: the session's key is signed out on Telegram's side. */
  async logOut(): Promise<void> {
    await this.call('auth.LogOut', () => this.client.invoke(new Api.auth.LogOut()));
  }
}

/**
 * GramJS's _switchDC clears the session's auth key and reconnects, but connect() calls StringSession.load(),
 * which restores the key the StringSession was constructed from — the old DC's key, sent to the new DC,
 * which answers −404 (found by the emulator server over TCP; the in-process fake accepted any key). A
 * session built from a saved string must forget that string's key before it switches DC.
 */
function forgetLoadedKey(session: StringSession): void {
  session._key = undefined;
}
