import { Logger } from 'telegram';
import type { GramJsLogLevel } from './gramjs';
import { scrubText } from '../../common/logging/redact';

/** Where GramJS's own log lines go (a PinoLogger in the service). */
export interface GramJsLogSink {
  debug(message: string): void;
  warn(message: string): void;
}

/**
 * GramJS's Logger, redirected: its warnings become debug lines and its errors warnings of our JSON
 * log (GramJS warns on every disconnect), scrubbed like every other line. `canSend` answers false so
 * GramJS never writes to the console itself (it `console.error`s raw errors when it may log errors).
 */
export class GramJsLogBridge extends Logger {
  constructor(private readonly sink: GramJsLogSink) {
    super('none' as GramJsLogLevel);
  }

  override canSend(_level: GramJsLogLevel): boolean {
    return false;
  }

  override warn(message: string): void {
    this.sink.debug(`GramJS: ${scrubText(String(message))}`);
  }

  override error(message: string): void {
    this.sink.warn(`GramJS: ${scrubText(String(message))}`);
  }

  override info(_message: string): void {}

  override debug(_message: string): void {}
}
