import { useState } from 'react';

export interface RowActions {
  /** The row whose action is running, if any (its buttons are disabled meanwhile). */
  busy: string | undefined;
  /** The last action's failure, shown in words by ErrorNotice. */
  error: unknown;
  /** Runs `action` for row `id`. */
  run(id: string, action: () => Promise<unknown>): Promise<void>;
}

/**
 * The buttons of a list's rows: one action at a time per row, its failure kept for the notice, and
 * `onSuccess` / `onSettled` (usually a reload) once it is done.
 */
export function useRowActions(handlers: { onSuccess?: () => void; onSettled?: () => void } = {}): RowActions {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const run = async (id: string, action: () => Promise<unknown>) => {
    setBusy(id);
    setError(undefined);
    try {
      await action();
      handlers.onSuccess?.();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
      handlers.onSettled?.();
    }
  };
  return { busy, error, run };
}
