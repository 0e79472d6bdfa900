/** Injection token of the emulator's control operations (EmulatorControlPort: in process or remote). */
export const TELEGRAM_EMULATOR_CONTROL = Symbol('TELEGRAM_EMULATOR_CONTROL');
