/** Injection token of the emulated Telegram world in use (TelegramEmulatorModule). */
export const TELEGRAM_EMULATOR = Symbol('TELEGRAM_EMULATOR');
