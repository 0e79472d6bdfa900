import { randomBytes } from 'node:crypto';
import { EMULATOR_DC_IDS, normalizePhone } from './accounts';
import { lookupBotByToken } from './bots';
import { EmulatorClock } from './clock';
import type { DialogWorld } from './dialogs';
import type { MessageWorld } from './messages';
import { badRequest, EmulatorControlError, RpcFailure } from './errors';
import { allHandlers, HandlerRegistry, type RequestContext } from './handlers';
import { acceptQrToken, parseQrToken } from './qr-tokens';
import { dcAddress } from './tl-builders';
import { classNameOf, decodeObject, encodeResult } from './tl-codec';
import {
  authKeyIdOf,
  WorldState,
  type AuthKeyRecord,
  type EmulatorSettings,
  type LiveConnection,
  type RevocationReason,
} from './world-state';

export interface TelegramEmulatorOptions {
  /** Time source in epoch ms (default Date.now); `advanceTime`/`setTime` shift it further. */
  now?: () => number;
  /** DC a fresh session lands on (default 1). */
  defaultDcId?: number;
  /** Login code lifetime (default 5 minutes). */
  codeTtlMs?: number;
  /** QR token lifetime (default 30 s). */
  qrTokenTtlMs?: number;
  /** Wrong codes per login, and wrong passwords per hour, before FLOOD_WAIT (default 5). */
  wrongAttemptLimit?: number;
  /** N of that FLOOD_WAIT_N (default 300). */
  loginFloodSeconds?: number;
  /** The `timeout` announced with SMS codes, seconds (default 60). */
  resendTimeoutSeconds?: number;
  /**
   * See EmulatorSettings.duplicatePolicy. Default `kill-key`, as Telegram: a key used from two
   * connections at once is invalidated (406 AUTH_KEY_DUPLICATED, "login again"); `newer-only` is a
   * gentler world kept only for tests that want it.
   */
  duplicatePolicy?: EmulatorSettings['duplicatePolicy'];
  /** Slow mode of the emulated supergroups that have it, seconds (default 30). */
  slowModeSeconds?: number;
}

/** The server's answer to one request, as bytes: a serialized result, or an rpc_error's code and message. */
export type EmulatorReply =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly errorCode: number; readonly errorMessage: string };

/** One client connection to one DC with one auth key. */
export interface EmulatorLink {
  readonly dcId: number;
  readonly authKeyId: string;
  call(requestBytes: Buffer): Promise<EmulatorReply>;
  close(): void;
}

/** The part of the emulator a (fake) MTProto sender talks to. Only bytes cross this boundary. */
export interface EmulatorEndpoint {
  /** A fresh 256-byte auth key "negotiated" with a DC (stands in for the DH exchange). */
  issueAuthKey(dcId: number): Buffer;
  openLink(dcId: number, authKey: Buffer, onUpdate: (updateBytes: Buffer) => void): EmulatorLink;
  hasDc(dcId: number): boolean;
  readonly defaultDcId: number;
  dcAddress(dcId: number): string;
}

/** What the emulator knows about a saved StringSession. */
export interface EmulatedSessionInfo {
  readonly dcId: number;
  readonly authKeyId: string;
  /** False when no client has ever connected with this key to this DC. */
  readonly known: boolean;
  /** The signed-in user's phone (digits), if any. */
  readonly phone?: string;
  readonly awaitingPassword: boolean;
  readonly revokedReason?: RevocationReason;
}

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
      defaultDcId,
      codeTtlMs: options.codeTtlMs ?? 5 * 60_000,
      qrTokenTtlMs: options.qrTokenTtlMs ?? 30_000,
      resendTimeoutSeconds: options.resendTimeoutSeconds ?? 60,
      wrongAttemptLimit: options.wrongAttemptLimit ?? 5,
      loginFloodSeconds: options.loginFloodSeconds ?? 300,
      duplicatePolicy: options.duplicatePolicy ?? 'kill-key',
      slowModeSeconds: options.slowModeSeconds ?? 30,
    });
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
    return randomBytes(256);
  }

  openLink(dcId: number, authKey: Buffer, onUpdate: (updateBytes: Buffer) => void): EmulatorLink {
    if (!this.hasDc(dcId)) throw new RangeError(`no DC ${dcId} in the emulator`);
    const key = this.state.keyFor(dcId, authKey);
    const duplicated = this.state.liveConnectionsOf(key).length > 0;
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

  // endregion

  // region control API

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

function parseStringSession(session: string): { dcId: number; authKeyId: string } | undefined {
  if (!session.startsWith('1')) return undefined;
  const raw = Buffer.from(session.slice(1), 'base64');
  if (raw.length < 5) return undefined;
  const dcId = raw.readUInt8(0);
  const addressLength = raw.readInt16BE(1);
  const authKey = raw.subarray(1 + 2 + addressLength + 2);
  if (authKey.length !== 256) return undefined;
  return { dcId, authKeyId: authKeyIdOf(authKey) };
}
