/** What a run of TelegramGateway takes (which session, how) and hands back. */

/** Which session a run is for: a stable key (the telegram_sessions row id) and its StringSession ('' = new). */
export interface SessionRef {
  key: string;
  session: string;
}

export interface RunOptions<T> {
  /**
   * Keep the client connected after the run (parked, destroyed after TELEGRAM_CLIENT_IDLE_MS unused),
   * or decide from the result. Only for signed-in sessions: a pending login's next step may reach
   * another replica, which would collide with a client still open here. After a failure the client is
   * kept only when this is `true` and the failure left the client sound (e.g. a wrong code).
   */
  keepAlive: boolean | 'if_parked' | ((result: T) => boolean);
  /**
   * When another replica holds the session's lease: wait up to TELEGRAM_LEASE_WAIT_MS (asking it to
   * hand over; the default), or give up at once with TelegramSessionBusyError (`false`, the watchdog).
   */
  leaseWait?: boolean;
}

/** What a run hands back: the work's value, and the session as it stands after it (callers store it encrypted). */
export interface RunResult<T> {
  value: T;
  /** The StringSession after the run: the account's full credential once signed in. */
  session: string;
  /** The DC the session is on after the run (it moves during PHONE_MIGRATE / QR migration). */
  dcId: number;
}
