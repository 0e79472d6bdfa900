import { createHash, randomBytes } from 'node:crypto';
import type { EmulatedAccount } from './accounts';
import { BotChatMembers } from './bot-chats';
import { BotRegistry } from './bots';
import { DialogWorld } from './dialogs';
import { MessageWorld } from './messages';
import { EMULATOR_2FA_PASSWORD } from './accounts';
import type { EmulatorClock } from './clock';
import type { DcAddress } from './tl-builders';
import { RpcFailure, unauthorized } from './errors';
import { computeVerifier, type SrpChallenge, type SrpPasswordParams } from './srp-server';

/** Everything Telegram's side remembers, keyed the way Telegram keys it (auth key per DC). */

export type RevocationReason = 'AUTH_KEY_UNREGISTERED' | 'SESSION_REVOKED';

/** What an InitConnection told the server about the app behind a key. */
export interface ClientInfo {
  readonly apiId: number;
  readonly deviceModel: string;
  readonly systemVersion: string;
  readonly appVersion: string;
}

export interface AuthKeyRecord {
  /** `${dcId}:${authKeyIdHex}`. */
  readonly ref: string;
  readonly dcId: number;
  /** auth_key_id: the low 64 bits of SHA1(auth_key), hex. */
  readonly authKeyId: string;
  readonly createdAt: number;
  /** Phone of the user this key is signed in as. */
  userPhone?: string;
  /** Telegram id of the bot this key is signed in as (auth.importBotAuthorization), decimal. */
  botId?: string;
  /** Set between SESSION_PASSWORD_NEEDED and a successful CheckPassword. */
  pendingPasswordPhone?: string;
  /** Why the key lost its authorization, answered instead of AUTH_KEY_UNREGISTERED. */
  revokedReason?: RevocationReason;
  /** The key was used from two connections at once (only with `duplicatePolicy: 'kill-key'`). */
  dead?: boolean;
  /** The DC forgot this key (forget-key): every request on it answers the transport error −404. */
  forgotten?: boolean;
  /** The QR login token this key last exported. */
  qrTokenHex?: string;
  client?: ClientInfo;
}

export interface LiveConnection {
  readonly id: number;
  readonly key: AuthKeyRecord;
  /** Opened while another connection was live with the same key: every request answers AUTH_KEY_DUPLICATED. */
  readonly duplicated: boolean;
  readonly deliverUpdate: (bytes: Buffer) => void;
}

export interface PendingCode {
  readonly phone: string;
  readonly keyRef: string;
  readonly code: string;
  expiresAt: number;
  /** Wrong codes tried with this hash, and until when (epoch ms) auth.signIn answers FLOOD_WAIT. */
  wrongCodes: number;
  floodUntil?: number;
  /** The `next_type` announced with the code: what auth.resendCode sends next (none: SEND_CODE_UNAVAILABLE). */
  nextType?: 'call';
}

export interface SrpSession {
  readonly phone: string;
  readonly keyRef: string;
  readonly challenge: SrpChallenge;
  used: boolean;
}

export interface QrToken {
  readonly token: Buffer;
  /** `login`: exported by a key, waiting for a scan; `migrate`: issued by LoginTokenMigrateTo for another DC. */
  readonly kind: 'login' | 'migrate';
  readonly dcId: number;
  readonly keyRef?: string;
  readonly expiresAt: number;
  scannedBy?: string;
  consumed: boolean;
  /** auth.exportLoginToken's except_ids: users already logged in on the exporting app (decimal ids). */
  readonly exceptIds?: readonly string[];
}

export interface ExportedAuthorization {
  readonly phone: string;
  readonly dcId: number;
  readonly bytes: Buffer;
  used: boolean;
}

/** An application registered at my.telegram.org: api_id and api_hash. */
export interface EmulatedApp {
  readonly apiId: number;
  readonly apiHash: string;
}

/** The application the emulator knows unless told otherwise: the pair the service connects with. */
export const DEFAULT_EMULATED_APP: EmulatedApp = {
  apiId: 12345,
  apiHash: '0123456789abcdef0123456789abcdef',
};

/** Tunables of the world (defaults in TelegramEmulator). */
export interface EmulatorSettings {
  /** The one application this Telegram knows (API_ID_INVALID / CONNECTION_API_ID_INVALID for others). */
  readonly app: EmulatedApp;
  /** DC a brand-new session lands on (GramJS's own default, DC 4, does not exist here). */
  readonly defaultDcId: number;
  /** Lifetime of a login code. */
  readonly codeTtlMs: number;
  /** Lifetime of a QR login token. */
  readonly qrTokenTtlMs: number;
  /** Wrong codes per login / wrong passwords per hour before FLOOD_WAIT (Telegram's own limits are unpublished). */
  readonly wrongAttemptLimit: number;
  /** How many times a phone's AUTH_RESTART rule answers it (Telegram: once, then the restart goes through). */
  readonly authRestartTimes: number;
  /** N of the FLOOD_WAIT_N answered once a limit is reached. */
  readonly loginFloodSeconds: number;
  /** The `timeout` (seconds) announced with an SMS code before auth.resendCode may be used. */
  readonly resendTimeoutSeconds: number;
  /** `newer-only`: only the newer connection gets AUTH_KEY_DUPLICATED; `kill-key`: the key dies for all. */
  readonly duplicatePolicy: 'newer-only' | 'kill-key';
  /** Slow mode of the emulated supergroups that have it (Telegram's usual 30 s). */
  readonly slowModeSeconds: number;
}

const MIGRATION_EXEMPT = new Set(['auth.ExportAuthorization', 'auth.LogOut']);

export const authKeyIdOf = (authKey: Buffer): string =>
  createHash('sha1').update(authKey).digest().subarray(12, 20).toString('hex');

/** What the world keeps across a restart of the emulator server (server/world-file.ts). */
export interface PersistedWorld {
  readonly keys: readonly AuthKeyRecord[];
  readonly movedHomes: readonly (readonly [string, number])[];
}

export class WorldState {
  readonly keys = new Map<string, AuthKeyRecord>();
  readonly connections = new Map<number, LiveConnection>();
  readonly codes = new Map<string, PendingCode>();
  readonly srpSessions = new Map<string, SrpSession>();
  readonly qrTokens = new Map<string, QrToken>();
  readonly exportedAuthorizations = new Map<string, ExportedAuthorization>();
  readonly bots = new BotRegistry();
  readonly dialogs = new DialogWorld();
  /** Bots put into chats (chats/add-bot). */
  readonly botMembers = new BotChatMembers();
  /** Where each DC listens when served over TCP (help.getConfig's dc_options); none in process. */
  dcEndpoints?: ReadonlyMap<number, DcAddress>;
  readonly messages: MessageWorld;
  /** Requests seen, by `${dcId}|${className}` (wrappers such as InvokeWithLayer count too). */
  private readonly requestCounts = new Map<string, number>();
  /** Login codes issued (auth.SendCode answered with a code), by phone (digits). */
  private readonly codesIssued = new Map<string, number>();
  private readonly passwords = new Map<string, SrpPasswordParams>();
  /** Wrong 2FA passwords by phone (epoch ms of each), and until when CheckPassword answers FLOOD_WAIT. */
  private readonly passwordFailures = new Map<string, number[]>();
  private readonly passwordFloodUntil = new Map<string, number>();
  /** Users whose home DC moved (migrate-user), by phone. */
  private readonly movedHomes = new Map<string, number>();
  /** `${phone}|${step}` of the AUTH_RESTART rules already answered. */
  private readonly authRestarts = new Map<string, number>();

  constructor(
    readonly clock: EmulatorClock,
    readonly settings: EmulatorSettings,
  ) {
    this.messages = new MessageWorld(settings.slowModeSeconds);
  }

  /**
   * The record of a key the DC knows (made by its key exchange, see registerKey), or undefined: Telegram
   * answers such a key with the transport error −404 (mtproto/mtproto-transports.html, "auth key not found").
   */
  knownKey(dcId: number, authKey: Buffer): AuthKeyRecord | undefined {
    return this.keys.get(`${dcId}:${authKeyIdOf(authKey)}`);
  }

  /** A key just made by the DC's key exchange: known from now on, unauthorized. */
  registerKey(dcId: number, authKey: Buffer): AuthKeyRecord {
    return this.keyFor(dcId, authKey);
  }

  /** The DC forgets the key (a server-side loss, or forget-key): −404 from now on, also on live connections. */
  forgetKey(key: AuthKeyRecord): void {
    key.forgotten = true;
    this.keys.delete(key.ref);
  }

  /** The record for a key presented on a DC, made unauthorized when the DC has never seen it. */
  keyFor(dcId: number, authKey: Buffer): AuthKeyRecord {
    const authKeyId = authKeyIdOf(authKey);
    const ref = `${dcId}:${authKeyId}`;
    let record = this.keys.get(ref);
    if (!record) {
      record = { ref, dcId, authKeyId, createdAt: this.clock.now() };
      this.keys.set(ref, record);
    }
    return record;
  }

  liveConnectionsOf(key: AuthKeyRecord): LiveConnection[] {
    return [...this.connections.values()].filter((c) => c.key === key);
  }

  authorize(key: AuthKeyRecord, account: EmulatedAccount): void {
    key.userPhone = account.phone;
    key.botId = undefined;
    key.pendingPasswordPhone = undefined;
    key.revokedReason = undefined;
  }

  unauthorize(key: AuthKeyRecord, reason?: RevocationReason): void {
    key.userPhone = undefined;
    key.botId = undefined;
    key.pendingPasswordPhone = undefined;
    key.revokedReason = reason;
  }

  /** The user's home DC now: the phone's X, unless migrate-user moved it. */
  homeDcOf(account: EmulatedAccount): number {
    return this.movedHomes.get(account.phone) ?? account.homeDcId;
  }

  moveHome(account: EmulatedAccount, dcId: number): void {
    this.movedHomes.set(account.phone, dcId);
  }

  /**
   * api/datacenter.html: a signed-in user's request on a DC that is no longer their home answers 303
   * USER_MIGRATE_X, except auth.exportAuthorization / auth.logOut, which carry the authorization away.
   */
  assertHomeDc(key: AuthKeyRecord, className: string): void {
    if (key.userPhone === undefined || MIGRATION_EXEMPT.has(className)) return;
    const home = this.movedHomes.get(key.userPhone);
    if (home !== undefined && home !== key.dcId) throw new RpcFailure(303, `USER_MIGRATE_${home}`);
  }

  /** True for the known application's pair (auth.sendCode, exportLoginToken, importBotAuthorization). */
  knowsApp(apiId: number | undefined, apiHash: string | undefined): boolean {
    return apiId === this.settings.app.apiId && apiHash === this.settings.app.apiHash;
  }

  /** The 401 an unauthorized key gets. */
  notAuthorized(key: AuthKeyRecord): RpcFailure {
    // A key between auth.signIn and auth.checkPassword is half signed in: Telegram asks for the password.
    if (key.pendingPasswordPhone !== undefined) return unauthorized('SESSION_PASSWORD_NEEDED');
    return unauthorized(key.revokedReason ?? 'AUTH_KEY_UNREGISTERED');
  }

  /** The account's SRP verifier; salts are drawn once per world (salt1 = 8 server bytes + 32 client bytes). */
  passwordFor(account: EmulatedAccount): SrpPasswordParams {
    let params = this.passwords.get(account.phone);
    if (!params) {
      const salt1 = randomBytes(40);
      const salt2 = randomBytes(16);
      params = { salt1, salt2, verifier: computeVerifier(EMULATOR_2FA_PASSWORD, salt1, salt2) };
      this.passwords.set(account.phone, params);
    }
    return params;
  }

  /** The FLOOD_WAIT seconds auth.checkPassword answers this phone now, or 0. */
  passwordFloodSeconds(phone: string): number {
    const until = this.passwordFloodUntil.get(phone) ?? 0;
    return Math.max(0, Math.ceil((until - this.clock.now()) / 1000));
  }

  /** A wrong password: the limit-th within an hour starts a FLOOD_WAIT of loginFloodSeconds. */
  notePasswordFailure(phone: string): void {
    const now = this.clock.now();
    const recent = (this.passwordFailures.get(phone) ?? []).filter((at) => now - at < 3_600_000);
    recent.push(now);
    if (recent.length >= this.settings.wrongAttemptLimit) {
      this.passwordFloodUntil.set(phone, now + this.settings.loginFloodSeconds * 1000);
      this.passwordFailures.delete(phone);
      return;
    }
    this.passwordFailures.set(phone, recent);
  }

  /**
   * True the first time this phone reaches `step` (its AUTH_RESTART rule), false after: Telegram asks once
   * to restart the authorization, and a restarted one goes through.
   */
  firstAuthRestart(phone: string, step: 'sendCode' | 'signIn'): boolean {
    const slot = `${phone}|${step}`;
    const answered = this.authRestarts.get(slot) ?? 0;
    if (answered >= this.settings.authRestartTimes) return false;
    this.authRestarts.set(slot, answered + 1);
    return true;
  }

  /** Keys with their sign-ins and users' moved homes; codes, QR tokens and live connections are not kept. */
  snapshot(): PersistedWorld {
    const keys = [...this.keys.values()].filter((key) => !key.dead && !key.forgotten);
    return { keys: keys.map((key) => ({ ...key })), movedHomes: [...this.movedHomes] };
  }

  restore(persisted: PersistedWorld): void {
    for (const key of persisted.keys) this.keys.set(key.ref, { ...key });
    for (const [phone, dcId] of persisted.movedHomes) this.movedHomes.set(phone, dcId);
  }

  countRequest(className: string, dcId: number): void {
    const slot = `${dcId}|${className}`;
    this.requestCounts.set(slot, (this.requestCounts.get(slot) ?? 0) + 1);
  }

  requestCount(className: string, dcId?: number): number {
    let total = 0;
    for (const [slot, count] of this.requestCounts) {
      const [dc, name] = slot.split('|');
      if (name === className && (dcId === undefined || Number(dc) === dcId)) total += count;
    }
    return total;
  }

  resetRequestCounts(): void {
    this.requestCounts.clear();
    this.codesIssued.clear();
  }

  countCodeIssued(phone: string): void {
    this.codesIssued.set(phone, (this.codesIssued.get(phone) ?? 0) + 1);
  }

  codesIssuedCount(phone?: string): number {
    if (phone !== undefined) return this.codesIssued.get(phone) ?? 0;
    let total = 0;
    for (const count of this.codesIssued.values()) total += count;
    return total;
  }

  /** Pushes an Updates object's bytes to every healthy live connection of the key. */
  pushUpdate(key: AuthKeyRecord, bytes: Buffer): void {
    for (const connection of this.liveConnectionsOf(key)) {
      if (!connection.duplicated) queueMicrotask(() => connection.deliverUpdate(bytes));
    }
  }
}
