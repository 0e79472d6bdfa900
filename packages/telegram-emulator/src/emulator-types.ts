import type { EmulatedApp, EmulatorSettings, RevocationReason } from './world-state';

/** The emulator's surface: its options, what a (fake or TCP) sender exchanges with it, and what it reports. */

export interface TelegramEmulatorOptions {
  /** The one application it accepts (default DEFAULT_EMULATED_APP, the pair the service uses). */
  app?: EmulatedApp;
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
  /** AUTH_RESTART answers per phone for YYYY 6000–6999 (default 1). */
  authRestartTimes?: number;
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
  | { readonly ok: false; readonly errorCode: number; readonly errorMessage: string }
  /** A transport error instead of an answer (mtproto-transports: −404 "auth key not found"). */
  | { readonly ok: false; readonly transportError: number };

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
  /** A key this DC negotiated over TCP (the server's auth-key exchange): known from now on. */
  adoptAuthKey(dcId: number, authKey: Buffer): void;
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
