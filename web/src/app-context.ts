import { createContext, useContext } from 'react';
import type { DevConsoleInfo } from './api/types';
import type { LiveEvents } from './live/events';

export interface ConsoleContext {
  /** Development helpers of the service (emulator on); undefined in production. */
  dev: DevConsoleInfo | undefined;
  live: LiveEvents;
  /** True while the WebSocket delivers events; screens poll when false. */
  liveConnected: boolean;
}

export const AppContext = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const value = useContext(AppContext);
  if (!value) throw new Error('useConsole outside the signed-in console');
  return value;
}
