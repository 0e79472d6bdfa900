import { Api } from 'telegram';
import { lookupAccount } from './accounts';
import { badRequest } from './errors';
import { encodeResult } from './tl-codec';
import type { ClientInfo, QrToken, WorldState } from './world-state';

/** Scanning a QR login token: shared by auth.acceptLoginToken and the emulator's scanQrToken control. */

/** Token bytes from a Buffer, a base64url string, or a whole `tg://login?token=...` URL. */
export function parseQrToken(input: Buffer | string): Buffer {
  if (Buffer.isBuffer(input)) return input;
  const match = /[?&]token=([^&]+)/.exec(input);
  return Buffer.from(match ? decodeURIComponent(match[1]) : input, 'base64url');
}

export interface AcceptedQrToken {
  readonly token: Buffer;
  /** The app that exported the token, as its InitConnection described it. */
  readonly client?: ClientInfo;
}

/**
 * Marks a login token as scanned by `phone` and pushes `updateLoginToken` to the exporting key's live
 * connections. Fails (400) with AUTH_TOKEN_INVALID / AUTH_TOKEN_EXPIRED / AUTH_TOKEN_ALREADY_ACCEPTED.
 */
export function acceptQrToken(state: WorldState, tokenBytes: Buffer, phone: string): AcceptedQrToken {
  const account = lookupAccount(phone);
  // Only a Telegram user can scan: a number without an account is as unknown as an invalid one.
  if (!account || !account.registered) throw badRequest('PHONE_NUMBER_INVALID');
  const token: QrToken | undefined = state.qrTokens.get(tokenBytes.toString('hex'));
  if (!token || token.kind !== 'login' || token.keyRef === undefined) throw badRequest('AUTH_TOKEN_INVALID');
  if (token.scannedBy !== undefined || token.consumed) throw badRequest('AUTH_TOKEN_ALREADY_ACCEPTED');
  if (state.clock.now() > token.expiresAt) throw badRequest('AUTH_TOKEN_EXPIRED');
  // except_ids (api/qr-login.html): a user already logged in on that app cannot log in there twice.
  if (token.exceptIds?.includes(account.userId.toString())) throw badRequest('AUTH_TOKEN_INVALID');
  token.scannedBy = account.phone;
  const key = state.keys.get(token.keyRef);
  if (key && account.homeDcId === key.dcId) {
    // Signed in when accepted (the next export only reports it); with 2FA the key waits for its password.
    if (account.hasPassword) {
      key.userPhone = undefined;
      key.pendingPasswordPhone = account.phone;
    } else {
      state.authorize(key, account);
    }
  }
  if (key) {
    const update = new Api.UpdateShort({
      update: new Api.UpdateLoginToken(),
      date: state.clock.nowSeconds(),
    });
    state.pushUpdate(key, encodeResult(update));
  }
  return { token: token.token, client: key?.client };
}
