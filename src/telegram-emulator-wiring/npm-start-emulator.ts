/**
 * `npm start` with the emulator on: the emulator server it reuses or starts as its child (main.ts loads
 * this with a dynamic import only then; see ensureEmulatorServer in the emulator package).
 */
export { ensureEmulatorServer, type EmulatorServerHandle } from '@integration-service/telegram-emulator';
