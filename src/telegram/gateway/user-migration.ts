import { Api, type TelegramClient } from 'telegram';
import { StringSession } from './gramjs';
import { TelegramSessionRevokedError } from '../telegram.errors';
import type { TelegramCall } from './telegram-session-handle';

/**
 * USER_MIGRATE_X for a signed-in session (api/datacenter.html: the user's home DC moved). GramJS's invoke
 * answers it with _switchDC: a new, unauthorized key on DC X, the request retried there — which then
 * fails 401 AUTH_KEY_UNREGISTERED and would look like a revocation. The authorization is carried over
 * instead: the stored session (old DC, old key, still signed in) exports it with
 * auth.exportAuthorization(X), the client now on DC X imports it with auth.importAuthorization.
 */

/** True when `error` is that retry failing: the run started signed in on another DC than it is on now. */
export function lostInMigration(error: unknown, storedSession: string, currentDcId: number): boolean {
  if (!(error instanceof TelegramSessionRevokedError) || error.reason !== 'AUTH_KEY_UNREGISTERED')
    return false;
  if (storedSession === '') return false;
  return new StringSession(storedSession).dcId !== currentDcId;
}

/**
 * Exports the authorization from `oldClient` (built from the stored session, not yet connected) to
 * `newDcId` and imports it into `client`; `oldClient` is destroyed afterwards.
 */
export async function carryAuthorization(
  oldClient: TelegramClient,
  client: TelegramClient,
  newDcId: number,
  call: TelegramCall,
): Promise<void> {
  try {
    await call('connect', () => oldClient.connect());
    const exported = await call('auth.ExportAuthorization', () =>
      oldClient.invoke(new Api.auth.ExportAuthorization({ dcId: newDcId })),
    );
    await call('auth.ImportAuthorization', () =>
      client.invoke(new Api.auth.ImportAuthorization({ id: exported.id, bytes: exported.bytes })),
    );
  } finally {
    await call('destroy', () => oldClient.destroy()).catch(() => undefined);
  }
}
