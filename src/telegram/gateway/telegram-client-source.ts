import type { TelegramClient } from 'telegram';
import type { StringSession, TelegramClientParams } from './gramjs';

/** Builds a client the way `new TelegramClient(...)` does: the real one, or a stand-in's subclass. */
export type TelegramClientFactory = (
  session: StringSession,
  apiId: number,
  apiHash: string,
  params: TelegramClientParams,
) => TelegramClient;

/** The emulator's world in this process, or an emulator server reached over TCP at `address`. */
export interface EmulatorReach {
  transport: 'in-process' | 'tcp';
  address?: string;
}

/** How the gateway builds its clients: real TelegramClients, or a stand-in's (TelegramGatewayModule's `backend`). */
export interface TelegramClientSource {
  /** Reported by the health check. */
  mode: string;
  /** The health check's `type` (default "Telegram MTProto"). */
  description?: string;
  /** Logged once at start when set (a stand-in for Telegram says so). */
  startupWarning?: string;
  /** Set by the emulator: how the service reaches it (the console says which emulator it talks to). */
  emulator?: EmulatorReach;
  factory: TelegramClientFactory;
}

/** Injection token of the client source chosen at start (see TelegramGatewayModule). */
export const TELEGRAM_CLIENT_SOURCE = Symbol('TELEGRAM_CLIENT_SOURCE');
