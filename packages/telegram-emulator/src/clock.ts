/** The emulator's notion of "now": wall time plus an offset tests can move (codes, QR tokens, Config dates). */
export class EmulatorClock {
  private offsetMs = 0;

  constructor(private readonly source: () => number = () => Date.now()) {}

  /** Milliseconds since the epoch. */
  now(): number {
    return this.source() + this.offsetMs;
  }

  /** Whole seconds since the epoch, as Telegram's `int` dates. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves time forward (or back, with a negative value). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Makes `now()` answer `epochMs` at this instant; it keeps ticking from there. */
  set(epochMs: number): void {
    this.offsetMs = epochMs - this.source();
  }
}
