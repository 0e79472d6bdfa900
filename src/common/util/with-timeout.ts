/**
 * Settles with `promise`, or rejects with `onTimeout()` after `ms`. The timer never keeps the process alive,
 * and a failure of `promise` after the timeout is swallowed (it must not become an unhandled rejection).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
