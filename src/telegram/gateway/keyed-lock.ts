/**
 * One holder per key at a time, waiters served first come first served, every wait bounded.
 * In-process only: it keeps two requests of one replica from running one Telegram session in two
 * clients (which Telegram punishes with AUTH_KEY_DUPLICATED). Replicas do not see each other's locks.
 */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor(
    readonly key: string,
    readonly timeoutMs: number,
  ) {
    super(`Lock on ${key} not acquired within ${timeoutMs} ms`);
  }
}

interface Waiter {
  grant: () => void;
  timer?: ReturnType<typeof setTimeout>;
}

interface Slot {
  held: boolean;
  waiters: Waiter[];
}

export type Release = () => void;

export class KeyedLock {
  private readonly slots = new Map<string, Slot>();

  /** Resolves with a release function once the key is free; rejects with LockTimeoutError after `timeoutMs`. */
  acquire(key: string, timeoutMs: number): Promise<Release> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { held: false, waiters: [] };
      this.slots.set(key, slot);
    }
    if (!slot.held) {
      slot.held = true;
      return Promise.resolve(this.releaser(key, slot));
    }
    const current = slot;
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { grant: () => resolve(this.releaser(key, current)) };
      waiter.timer = setTimeout(() => {
        const index = current.waiters.indexOf(waiter);
        if (index >= 0) current.waiters.splice(index, 1);
        reject(new LockTimeoutError(key, timeoutMs));
      }, timeoutMs);
      current.waiters.push(waiter);
    });
  }

  /** The release function when the key is free right now, else undefined (never waits). */
  tryAcquire(key: string): Release | undefined {
    const slot = this.slots.get(key);
    if (slot?.held) return undefined;
    const fresh: Slot = slot ?? { held: false, waiters: [] };
    fresh.held = true;
    this.slots.set(key, fresh);
    return this.releaser(key, fresh);
  }

  isHeld(key: string): boolean {
    return this.slots.get(key)?.held ?? false;
  }

  /** Keys held or waited for (free keys are forgotten, so the map cannot grow without bound). */
  get size(): number {
    return this.slots.size;
  }

  private releaser(key: string, slot: Slot): Release {
    let released = false;
    return () => {
      if (released) return; // idempotent: a second call must not release someone else's hold
      released = true;
      const next = slot.waiters.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant();
        return;
      }
      slot.held = false;
      if (this.slots.get(key) === slot) this.slots.delete(key);
    };
  }
}
