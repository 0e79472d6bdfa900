import { randomBytes } from 'node:crypto';
import { EMULATOR_DC_IDS, lookupAccount, normalizePhone } from './accounts';
import { findChat } from './bot-chats';
import { lookupBotById, lookupBotByToken } from './bots';
import { EmulatorClock } from './clock';
import type { DialogWorld } from './dialogs';
import type { MessageWorld } from './messages';
import { badRequest, EmulatorControlError, RpcFailure } from './errors';
import { allHandlers, HandlerRegistry, type RequestContext } from './handlers';
import { acceptQrToken, parseQrToken } from './qr-tokens';
import { AUTH_KEY_NOT_FOUND, forgottenLink, parseStringSession } from './session-keys';
import { dcAddress, type DcAddress } from './tl-builders';
import { classNameOf, decodeObject, encodeResult } from './tl-codec';
import {
  authKeyIdOf,
  DEFAULT_EMULATED_APP,
  WorldState,
  type AuthKeyRecord,
  type LiveConnection,
  type PersistedWorld,
  type RevocationReason,
} from './world-state';
import type {
  EmulatedSessionInfo,
  EmulatorEndpoint,
  EmulatorLink,
  EmulatorReply,
  TelegramEmulatorOptions,
} from './emulator-types';

export { AUTH_KEY_NOT_FOUND } from './session-keys';

export type {
  EmulatedSessionInfo,
  EmulatorEndpoint,
  EmulatorLink,
  EmulatorReply,
  TelegramEmulatorOptions,
} from './emulator-types';

const fail = (errorCode: number, errorMessage: string): EmulatorReply => ({
  ok: false,
  errorCode,
  errorMessage,
});

/**
 * A fake of Telegram's servers (DCs 1–3) for GramJS clients, in process, without sockets. One instance is one
 * world: users, auth keys, codes, QR tokens. Pass it to EmulatedTelegramClient.
 */
export class TelegramEmulator implements EmulatorEndpoint {
  readonly clock: EmulatorClock;
  private readonly state: WorldState;
  private readonly registry = new HandlerRegistry(allHandlers);
  private readonly unexpected: unknown[] = [];
  private nextConnectionId = 1;
  private duplicateLinks = 0;
  /**
   * Control: while true, every DC takes requests and never answers (a network black hole), so a
   * test can prove each call is bounded by the caller's own timeout.
   */
  unresponsive = false;

  constructor(options: TelegramEmulatorOptions = {}) {
    this.clock = new EmulatorClock(options.now);
    const defaultDcId = options.defaultDcId ?? 1;
    if (!EMULATOR_DC_IDS.includes(defaultDcId)) throw new RangeError(`no DC ${defaultDcId} in the emulator`);
    this.state = new WorldState(this.clock, {
      app: options.app ?? DEFAULT_EMULATED_APP,
      defaultDcId,
      codeTtlMs: options.codeTtlMs ?? 5 * 60_000,
      qrTokenTtlMs: options.qrTokenTtlMs ?? 30_000,
      resendTimeoutSeconds: options.resendTimeoutSeconds ?? 60,
      wrongAttemptLimit: options.wrongAttemptLimit ?? 5,
      loginFloodSeconds: options.loginFloodSeconds ?? 300,
      authRestartTimes: options.authRestartTimes ?? 1,
      duplicatePolicy: options.duplicatePolicy ?? 'kill-key',
      slowModeSeconds: options.slowModeSeconds ?? 30,
    });
  }

  /** What a restarted emulator server should find again (see WorldState.snapshot). */
  exportWorld(): PersistedWorld {
    return this.state.snapshot();
  }

  importWorld(persisted: PersistedWorld): void {
    this.state.restore(persisted);
  }

  // region endpoint (used by the fake sender)

  get defaultDcId(): number {
    return this.state.settings.defaultDcId;
  }

  hasDc(dcId: number): boolean {
    return EMULATOR_DC_IDS.includes(dcId);
  }

  dcAddress(dcId: number): string {
    return dcAddress(dcId);
  }

  issueAuthKey(dcId: number): Buffer {
    if (!this.hasDc(dcId)) throw new RangeError(`no DC ${dcId} in the emulator`);
    const authKey = randomBytes(256);
    this.state.registerKey(dcId, authKey);
    return authKey;
  }

  /** A key this DC negotiated over TCP (the server's auth-key exchange): known from now on. */
  adoptAuthKey(dcId: number, authKey: Buffer): void {
    if (!this.hasDc(dcId)) throw new RangeError(`no DC ${dcId} in the emulator`);
    if (!this.state.knownKey(dcId, authKey)) this.state.registerKey(dcId, authKey);
  }

  openLink(dcId: number, authKey: Buffer, onUpdate: (updateBytes: Buffer) => void): EmulatorLink {
    if (!this.hasDc(dcId)) throw new RangeError(`no DC ${dcId} in the emulator`);
    const key = this.state.knownKey(dcId, authKey);
    if (!key) return forgottenLink(dcId, authKeyIdOf(authKey));
    const duplicated = this.state.liveConnectionsOf(key).length > 0;
    if (duplicated) this.duplicateLinks++;
    if (duplicated && this.state.settings.duplicatePolicy === 'kill-key') key.dead = true;
    const connection: LiveConnection = {
      id: this.nextConnectionId++,
      key,
      duplicated,
      deliverUpdate: onUpdate,
    };
    this.state.connections.set(connection.id, connection);
    return {
      dcId,
      authKeyId: key.authKeyId,
      call: (bytes) =>
        this.unresponsive ? new Promise<EmulatorReply>(() => undefined) : this.call(connection, bytes),
      close: () => {
        this.state.connections.delete(connection.id);
      },
    };
  }

  /** Served over TCP: help.getConfig's dc_options then answer where each DC listens. */
  setDcEndpoints(endpoints: ReadonlyMap<number, DcAddress>): void {
    this.state.dcEndpoints = endpoints;
  }

  // endregion

  // region control API

  /** auth_key_ids (hex) of the keys signed in as this phone, or waiting for its 2FA password. */
  authKeyIdsOf(phone: string): string[] {
    const digits = normalizePhone(phone);
    return [...this.state.keys.values()]
      .filter((key) => key.userPhone === digits || key.pendingPasswordPhone === digits)
      .map((key) => key.authKeyId);
  }

  now(): number {
    return this.clock.now();
  }

  advanceTime(ms: number): void {
    this.clock.advance(ms);
  }

  setTime(epochMs: number): void {
    this.clock.set(epochMs);
  }

  /** Signs out every key of this user (their requests then fail 401 with `reason`). Returns how many. */
  revoke(phone: string, reason: RevocationReason = 'AUTH_KEY_UNREGISTERED'): number {
    const digits = normalizePhone(phone);
    let revoked = 0;
    for (const key of this.state.keys.values()) {
      if (key.userPhone === digits || key.pendingPasswordPhone === digits) {
        this.state.unauthorize(key, reason);
        revoked++;
      }
    }
    return revoked;
  }

  /**
   * The user's home DC forgets their auth keys (only those of these saved sessions when given): each
   * request on one answers the transport error −404 from now on. Returns how many keys were forgotten.
   */
  forgetKeys(phone: string, sessions?: readonly string[]): number {
    const digits = normalizePhone(phone);
    const only = sessions?.map((s) => this.keyOfSession(s)).filter((k) => k !== undefined);
    let forgotten = 0;
    for (const key of [...this.state.keys.values()]) {
      const owned = key.userPhone === digits || key.pendingPasswordPhone === digits;
      if (owned && (!only || only.includes(key))) {
        this.state.forgetKey(key);
        forgotten++;
      }
    }
    return forgotten;
  }

  /**
   * BotFather revokes the token of the bot it names (the bot's id is the token's digits before the colon):
   * the tokens of that bot seen so far answer ACCESS_TOKEN_EXPIRED, and every key signed in as the bot is
   * signed out (AUTH_KEY_UNREGISTERED). Returns how many keys were signed out; undefined for no such bot.
   */
  revokeBotToken(token: string): number | undefined {
    const bot = lookupBotByToken(token);
    if (!bot) return undefined;
    this.state.bots.revoke(bot.botId);
    let signedOut = 0;
    for (const key of this.state.keys.values()) {
      if (key.botId === bot.botId.toString()) {
        this.state.unauthorize(key, 'AUTH_KEY_UNREGISTERED');
        signedOut++;
      }
    }
    return signedOut;
  }

  /** What the emulated chats received, floods armed by the control route, uploads (see messages.ts). */
  get messages(): MessageWorld {
    return this.state.messages;
  }

  /** The emulated user's dialogs (messages.getDialogs, channels.getFullChannel, chat creation and leaving). */
  get dialogs(): DialogWorld {
    return this.state.dialogs;
  }

  /** Moves the user's home DC (`migrate-user`): their keys elsewhere then answer USER_MIGRATE_`dcId`. */
  migrateUser(phone: string, dcId: number): boolean {
    const account = lookupAccount(phone);
    if (!account || !this.hasDc(dcId)) return false;
    this.state.moveHome(account, dcId);
    return true;
  }

  /**
   * Puts the bot (its Telegram id) into the chat (bare id, no -100), as a member or an admin who may post.
   * False when this world has no such chat or no such bot.
   */
  addBotToChat(chatId: bigint, botId: bigint, admin: boolean): boolean {
    if (!findChat(this.state.dialogs, chatId) || !lookupBotById(botId)) return false;
    this.state.botMembers.add(chatId, botId, admin);
    return true;
  }

  /**
   * The user with `phone` scans a QR login token (bytes, base64url, or the tg://login URL); the exporting
   * client gets updateLoginToken. Throws EmulatorControlError AUTH_TOKEN_INVALID / _EXPIRED / _ALREADY_ACCEPTED.
   */
  scanQrToken(token: Buffer | string, phone: string): void {
    try {
      acceptQrToken(this.state, parseQrToken(token), phone);
    } catch (e) {
      if (e instanceof RpcFailure) throw new EmulatorControlError(e.errorMessage);
      throw e;
    }
  }

  /** Requests seen with this TL class name (e.g. `auth.SendCode`, `help.GetConfig`), optionally on one DC. */
  requestCount(className: string, dcId?: number): number {
    return this.state.requestCount(className, dcId);
  }

  /**
   * Login codes this world sent (auth.SendCode answered with a code, not a PHONE_MIGRATE or a flood
   * wait), optionally to one phone: the SMS a real user would have received. Reset with the request counts.
   */
  codesSent(phone?: string): number {
    return this.state.codesIssuedCount(phone === undefined ? undefined : normalizePhone(phone));
  }

  resetRequestCounts(): void {
    this.state.resetRequestCounts();
  }

  /**
   * Connections opened with an auth key that was live on another connection at that moment (each
   * answered AUTH_KEY_DUPLICATED, as Telegram does): what two replicas using one session at once cause.
   */
  get duplicateKeyUses(): number {
    return this.duplicateLinks;
  }

  /** Live client connections, optionally only those signed in as `phone`. */
  liveConnectionCount(phone?: string): number {
    const digits = phone === undefined ? undefined : normalizePhone(phone);
    return [...this.state.connections.values()].filter(
      (c) => digits === undefined || c.key.userPhone === digits,
    ).length;
  }

  /**
   * Signs out the keys of these saved sessions only, if they are signed in as `phone` — the
   * development route's scope: a caller's own accounts, never another user's. Returns how many.
   */
  revokeSessions(
    sessions: readonly string[],
    phone: string,
    reason: RevocationReason = 'AUTH_KEY_UNREGISTERED',
  ): number {
    const digits = normalizePhone(phone);
    let revoked = 0;
    for (const session of sessions) {
      const key = this.keyOfSession(session);
      if (key && (key.userPhone === digits || key.pendingPasswordPhone === digits)) {
        this.state.unauthorize(key, reason);
        revoked++;
      }
    }
    return revoked;
  }

  /** Reads a StringSession ("1" + base64(dc | addrLen | addr | port | authKey)) and reports its key's state. */
  sessionInfo(session: string): EmulatedSessionInfo | undefined {
    const parsed = parseStringSession(session);
    if (!parsed) return undefined;
    const { dcId, authKeyId } = parsed;
    const key = this.state.keys.get(`${dcId}:${authKeyId}`);
    return {
      dcId,
      authKeyId,
      known: key !== undefined,
      phone: key?.userPhone,
      awaitingPassword: key?.pendingPasswordPhone !== undefined,
      revokedReason: key?.revokedReason,
    };
  }

  private keyOfSession(session: string): AuthKeyRecord | undefined {
    const parsed = parseStringSession(session);
    return parsed && this.state.keys.get(`${parsed.dcId}:${parsed.authKeyId}`);
  }

  /** Exceptions the emulator itself hit while answering (answered as 400 EMULATOR_INTERNAL_ERROR). */
  get internalErrors(): readonly unknown[] {
    return this.unexpected;
  }

  // endregion

  private async call(connection: LiveConnection, bytes: Buffer): Promise<EmulatorReply> {
    if (connection.key.forgotten) return { ok: false, transportError: AUTH_KEY_NOT_FOUND };
    if (connection.duplicated || connection.key.dead) return fail(406, 'AUTH_KEY_DUPLICATED');
    try {
      const result = await this.dispatch(connection, decodeObject(bytes));
      return { ok: true, body: encodeResult(result) };
    } catch (e) {
      if (e instanceof RpcFailure) return fail(e.errorCode, e.errorMessage);
      this.unexpected.push(e);
      return fail(400, 'EMULATOR_INTERNAL_ERROR');
    }
  }

  private async dispatch(connection: LiveConnection, request: unknown): Promise<unknown> {
    const { key } = connection;
    this.state.countRequest(classNameOf(request), key.dcId);
    const def = this.registry.find(request);
    const signedIn = key.userPhone !== undefined || key.botId !== undefined;
    if (!def) {
      // Telegram checks authorization before it looks at what the method is.
      if (!signedIn) throw this.state.notAuthorized(key);
      throw badRequest('METHOD_NOT_SUPPORTED_BY_EMULATOR');
    }
    if (def.requiresAuth && !signedIn) throw this.state.notAuthorized(key);
    if (def.requiresAuth) this.state.assertHomeDc(key, def.className);
    const ctx: RequestContext = {
      state: this.state,
      clock: this.clock,
      dcId: key.dcId,
      key,
      connection,
      dispatch: (inner) => this.dispatch(connection, inner),
    };
    return def.handle(ctx, request);
  }
}
