import { KeyedLock, LockTimeoutError } from './keyed-lock';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLock: one holder per key, FIFO, bounded waits', () => {
  it('lets one holder per key in at a time, the others in arrival order', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const first = await lock.acquire('s1', 1000);
    const second = lock.acquire('s1', 1000).then((release) => {
      order.push('second');
      return release;
    });
    const third = lock.acquire('s1', 1000).then((release) => {
      order.push('third');
      release();
    });
    await tick();
    expect(order).toEqual([]);
    expect(lock.isHeld('s1')).toBe(true);
    first();
    (await second)();
    await third;
    expect(order).toEqual(['second', 'third']);
    expect(lock.isHeld('s1')).toBe(false);
    expect(lock.size).toBe(0); // free keys are forgotten
  });

  it('never serialises different keys', async () => {
    const lock = new KeyedLock();
    const a = await lock.acquire('a', 10);
    const b = await lock.acquire('b', 10);
    expect(lock.size).toBe(2);
    a();
    b();
    expect(lock.size).toBe(0);
  });

  it('gives up after the timeout without disturbing the queue', async () => {
    const lock = new KeyedLock();
    const held = await lock.acquire('k', 1000);
    const late = lock.acquire('k', 20);
    const patient = lock.acquire('k', 1000);
    await expect(late).rejects.toBeInstanceOf(LockTimeoutError);
    await expect(late).rejects.toMatchObject({ key: 'k', timeoutMs: 20 });
    held();
    const release = await patient;
    expect(lock.isHeld('k')).toBe(true);
    release();
    expect(lock.size).toBe(0);
  });

  it('ignores a second release (it must not free someone else’s hold)', async () => {
    const lock = new KeyedLock();
    const first = await lock.acquire('k', 100);
    const secondP = lock.acquire('k', 100);
    first();
    const second = await secondP;
    first(); // stale
    expect(lock.isHeld('k')).toBe(true);
    second();
    expect(lock.isHeld('k')).toBe(false);
  });

  it('tryAcquire never waits', async () => {
    const lock = new KeyedLock();
    const release = lock.tryAcquire('k');
    expect(release).toBeDefined();
    expect(lock.tryAcquire('k')).toBeUndefined();
    const waiter = lock.acquire('k', 100);
    release?.();
    (await waiter)();
    expect(lock.size).toBe(0);
  });
});
