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
