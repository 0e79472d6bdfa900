import { StringSession } from './gramjs';
import { TelegramSessionRevokedError } from '../telegram.errors';

/** The reason recorded when Telegram no longer knows a session's auth key (transport error −404). */
export const AUTH_KEY_UNKNOWN = 'auth_key_unknown';

/**
 * A StringSession that notices when Telegram has forgotten its auth key. For a key it does not know
 * Telegram answers the transport error −404; GramJS 2.26.22's MTProtoSender then leaves the request
 * unanswered (its receive loop ends in _handleBadAuthKey) and only reports
 * `UpdateConnectionState(broken)` through the client's update handler, which hands every update to
 * `session.processEntities` first. `guard` turns that report into a rejection of the call in flight,
 * so the gateway answers at once instead of waiting on a request that will never be answered.
 */
export class KeyLossSession extends StringSession {
  private lost = false;
  private readonly waiters = new Set<(error: Error) => void>();

  /**
   * A move to another DC (_switchDC: PHONE_MIGRATE, QR LoginTokenMigrateTo) forgets the key parsed from the
   * string too: GramJS's connect() calls `load()`, which rebuilds the auth key from those bytes, so a
   * restored session would present its old DC's key to the new DC — a key that DC does not know (−404).
   */
  override setDC(dcId: number, serverAddress: string, port: number): void {
    if (dcId !== this.dcId) this._key = undefined;
    super.setDC(dcId, serverAddress, port);
  }

  override processEntities(tlo: unknown): void {
    if (isBrokenConnection(tlo)) {
      this.lost = true;
      for (const reject of this.waiters) reject(new TelegramSessionRevokedError(AUTH_KEY_UNKNOWN));
      this.waiters.clear();
    }
    super.processEntities(tlo);
  }

  /** True once the DC reported the key broken. */
  get keyLost(): boolean {
    return this.lost;
  }

  /** `work`, rejected with TelegramSessionRevokedError(auth_key_unknown) as soon as the key is reported lost. */
  guard<T>(work: Promise<T>): Promise<T> {
    if (this.lost) {
      work.catch(() => undefined);
      return Promise.reject(new TelegramSessionRevokedError(AUTH_KEY_UNKNOWN));
    }
    return new Promise<T>((resolve, reject) => {
      this.waiters.add(reject);
      work.then(resolve, reject).finally(() => this.waiters.delete(reject));
    });
  }
}

/**
 * GramJS's `UpdateConnectionState` with the state `broken` (0; `disconnected` is −1, `connected` 1). The class is not exported from the
 * package's root, so it is recognised by its name and state.
 */
function isBrokenConnection(tlo: unknown): boolean {
  return (
    typeof tlo === 'object' &&
    tlo !== null &&
    tlo.constructor.name === 'UpdateConnectionState' &&
    (tlo as { state?: unknown }).state === 0
  );
}
