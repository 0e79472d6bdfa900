import type { EmulatorLink } from './emulator';
import { authKeyIdOf } from './world-state';

/** The transport error Telegram sends for an auth key it does not know (mtproto-transports.html). */
export const AUTH_KEY_NOT_FOUND = -404;

/** A link with a key the DC does not know: every request answers −404, as Telegram's transport does. */
export function forgottenLink(dcId: number, authKeyId: string): EmulatorLink {
  return {
    dcId,
    authKeyId,
    call: () => Promise.resolve({ ok: false, transportError: AUTH_KEY_NOT_FOUND }),
    close: () => undefined,
  };
}

export function parseStringSession(session: string): { dcId: number; authKeyId: string } | undefined {
  if (!session.startsWith('1')) return undefined;
  const raw = Buffer.from(session.slice(1), 'base64');
  if (raw.length < 5) return undefined;
  const dcId = raw.readUInt8(0);
  const addressLength = raw.readInt16BE(1);
  const authKey = raw.subarray(1 + 2 + addressLength + 2);
  if (authKey.length !== 256) return undefined;
  return { dcId, authKeyId: authKeyIdOf(authKey) };
}
