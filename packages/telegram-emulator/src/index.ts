/**
 * A fake of Telegram's servers (DCs 1–3) plugged under the real GramJS TelegramClient:
 *   const emulator = new TelegramEmulator();
 *   const client = new EmulatedTelegramClient(emulator, new StringSession(''), apiId, apiHash, { floodSleepThreshold: 0 });
 * Phones 99966XYYYY: home DC X, code X×5, YYYY 2000–2999 → 2FA password EMULATOR_2FA_PASSWORD,
 * YYYY 8000–8999 → FLOOD_WAIT_120 on auth.SendCode.
 */
export {
  EMULATOR_2FA_PASSWORD,
  EMULATOR_DC_IDS,
  lookupAccount,
  loginCodeFor,
  normalizePhone,
  type EmulatedAccount,
} from './accounts';
export { EmulatorClock } from './clock';
export { createEmulatedClient, EmulatedTelegramClient, type TelegramClientFactory } from './emulated-client';
export {
  TelegramEmulator,
  type EmulatedSessionInfo,
  type EmulatorEndpoint,
  type EmulatorLink,
  type EmulatorReply,
  type TelegramEmulatorOptions,
} from './emulator';
export { EmulatorControlError } from './errors';
export { FakeMTProtoSender } from './fake-sender';
export type { RevocationReason } from './world-state';
export { DEFAULT_EMULATED_APP, type EmulatedApp } from './world-state';
export type { DeliveredMessage, EmulatedSender } from './messages';
export type { EmulatedChatKind } from './dialogs';
export { parseStringSession } from './session-keys';
// The world's control operations, in process or over an emulator server's control port.
export {
  bareChatId,
  LocalEmulatorControl,
  type EmulatorControlPort,
  type EmulatorCreatedChat,
  type FaultRequest,
  type FaultTarget,
} from './control/emulator-control-port';
export { EmulatorServerUnavailableError, RemoteEmulatorControl } from './control/remote-emulator-control';
// The world over TCP: the MTProto server, GramJS clients dialling it, and the server as a process.
export {
  TelegramEmulatorServer,
  type DcEndpoint,
  type EmulatorServerOptions,
} from './server/emulator-server';
export { createEmulatorServerClient, type EmulatorNetwork } from './server/client-factory';
export {
  DEFAULT_EMULATOR_PORT,
  ensureEmulatorServer,
  readServerFile,
  runEmulatorServer,
  serverFilePath,
  worldFilePath,
  type EmulatorServerFile,
  type EmulatorServerHandle,
  type RunningEmulator,
} from './server/emulator-process';
