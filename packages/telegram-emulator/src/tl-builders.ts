import { Api } from 'telegram';
import { EMULATOR_DC_IDS, type EmulatedAccount } from './accounts';
import { toLong } from './tl-codec';

/** Constructors for the realistic TL objects the emulator answers with. */

export const dcAddress = (dcId: number): string => `127.0.0.${dcId}`;
export const DC_PORT = 443;

export function buildUser(account: EmulatedAccount, isSelf: boolean, nowSeconds: number): Api.User {
  return new Api.User({
    self: isSelf,
    contact: false,
    mutualContact: false,
    id: toLong(account.userId),
    accessHash: toLong(account.accessHash),
    firstName: account.firstName,
    lastName: account.lastName,
    username: account.username,
    phone: isSelf ? account.phone : undefined,
    status: new Api.UserStatusOnline({ expires: nowSeconds + 300 }),
    langCode: 'en',
  });
}

export function buildUserFull(
  account: EmulatedAccount,
  isSelf: boolean,
  nowSeconds: number,
): Api.users.UserFull {
  return new Api.users.UserFull({
    fullUser: new Api.UserFull({
      id: toLong(account.userId),
      about: `Emulated account on DC ${account.homeDcId}`,
      settings: new Api.PeerSettings({}),
      notifySettings: new Api.PeerNotifySettings({ showPreviews: true, silent: false }),
      commonChatsCount: 0,
      phoneCallsAvailable: true,
      videoCallsAvailable: true,
    }),
    chats: [],
    users: [buildUser(account, isSelf, nowSeconds)],
  });
}

export function buildAuthorization(account: EmulatedAccount, nowSeconds: number): Api.auth.Authorization {
  // method/auth.signIn's auth.authorization: setup_password_required and otherwise_relogin_days share flags.1.
  const relogin =
    account.reloginDays === undefined
      ? {}
      : { setupPasswordRequired: true, otherwiseReloginDays: account.reloginDays };
  return new Api.auth.Authorization({ ...relogin, user: buildUser(account, true, nowSeconds) });
}

/** Where a DC listens. */
export interface DcAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * dc_options: where each DC really listens when served over TCP (clients take migration targets from here);
 * in process (no sockets), each DC at its own loopback address and port 443.
 */
export function buildDcOptions(endpoints?: ReadonlyMap<number, DcAddress>): Api.DcOption[] {
  return EMULATOR_DC_IDS.map((id) => {
    const at = endpoints?.get(id);
    return new Api.DcOption({ id, ipAddress: at?.host ?? dcAddress(id), port: at?.port ?? DC_PORT });
  });
}

/** `help.getConfig` as Telegram answers it (limits are Telegram's usual values), for DCs 1–3. */
export function buildConfig(
  thisDc: number,
  nowSeconds: number,
  endpoints?: ReadonlyMap<number, DcAddress>,
): Api.Config {
  return new Api.Config({
    date: nowSeconds,
    expires: nowSeconds + 3600,
    testMode: false,
    thisDc,
    dcOptions: buildDcOptions(endpoints),
    dcTxtDomainName: 'emulator.invalid',
    chatSizeMax: 200,
    megagroupSizeMax: 200_000,
    forwardedCountMax: 100,
    onlineUpdatePeriodMs: 210_000,
    offlineBlurTimeoutMs: 5_000,
    offlineIdleTimeoutMs: 30_000,
    onlineCloudTimeoutMs: 300_000,
    notifyCloudDelayMs: 30_000,
    notifyDefaultDelayMs: 1_500,
    pushChatPeriodMs: 60_000,
    pushChatLimit: 2,
    editTimeLimit: 172_800,
    revokeTimeLimit: 2_147_483_647,
    revokePmTimeLimit: 2_147_483_647,
    ratingEDecay: 2_419_200,
    stickersRecentLimit: 200,
    channelsReadMediaPeriod: 604_800,
    callReceiveTimeoutMs: 20_000,
    callRingTimeoutMs: 90_000,
    callConnectTimeoutMs: 30_000,
    callPacketTimeoutMs: 10_000,
    meUrlPrefix: 'https://t.me/',
    captionLengthMax: 1024,
    messageLengthMax: 4096,
    webfileDcId: 1,
  });
}
