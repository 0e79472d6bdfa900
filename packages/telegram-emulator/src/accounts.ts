import { createHash } from 'node:crypto';

/**
 * The emulator's population. Phone `99966XYYYY`: X (1–3) is the home DC, YYYY four digits.
 * The login code is X five times; YYYY 2000–2999 has 2FA on; YYYY 4000–4999 gets its code by SMS
 * (then a call on auth.resendCode); YYYY 5000–5999 must set up a login email first; YYYY 8000–8999
 * is flood-limited at SendCode (6000–6999: AUTH_RESTART once at SendCode / SignIn; 7000–7499: PHONE_NUMBER_FLOOD; 7500–7599: PHONE_NUMBER_BANNED); YYYY 9000–9999 has no Telegram account (a code is sent, signing in
 * answers auth.authorizationSignUpRequired).
 */
export const EMULATOR_2FA_PASSWORD = 'emulator-2fa';
export const EMULATOR_DC_IDS: readonly number[] = [1, 2, 3];
export const SEND_CODE_FLOOD_SECONDS = 120;
export const SETUP_PASSWORD_RELOGIN_DAYS = 7;

/** How auth.sendCode delivers this account's code (auth.SentCodeType). */
export type CodeDelivery = 'app' | 'sms' | 'email_setup_required';

export interface EmulatedAccount {
  /** Digits only, as Telegram stores `User.phone` (no `+`). */
  readonly phone: string;
  readonly homeDcId: number;
  readonly suffix: number;
  readonly userId: bigint;
  readonly accessHash: bigint;
  readonly firstName: string;
  readonly lastName: string;
  readonly username: string;
  readonly loginCode: string;
  readonly hasPassword: boolean;
  readonly codeDelivery: CodeDelivery;
  /**
   * auth.authorization's `otherwise_relogin_days` with `setup_password_required` (YYYY 1900–1999): Telegram
   * asks the user to set up a 2FA password, or be logged out after that many days.
   */
  readonly reloginDays?: number;
  /** False for numbers no Telegram account uses (YYYY 9000–9999). */
  readonly registered: boolean;
  /** Seconds of FLOOD_WAIT answered to auth.SendCode, when flood-limited. */
  readonly sendCodeFloodSeconds?: number;
  /** Where this number's login answers 500 AUTH_RESTART once (YYYY 6000–6499: sendCode; 6500–6999: signIn). */
  readonly authRestartAt?: 'sendCode' | 'signIn';
  /** What auth.SendCode refuses this number with (method/auth.sendCode, 400), if anything. */
  readonly sendCodeRefusal?: 'PHONE_NUMBER_FLOOD' | 'PHONE_NUMBER_BANNED';
}

const USER_ID_BASE = 7_000_000_000n;
const PHONE_RE = /^99966([1-3])(\d{4})$/;
const FIRST_NAMES = ['Alice', 'Boris', 'Chen', 'Dana', 'Elif', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas'];
const LAST_NAMES = [
  'Novak',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Silva',
  'Tanaka',
  'Ueda',
  'Varga',
  'Weber',
];

/** Strips one leading `+` (and spaces); anything else stays as typed so invalid input stays invalid. */
export function normalizePhone(input: string): string {
  const trimmed = input.replace(/\s+/g, '');
  return trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
}

/** The account behind a phone number, or undefined when Telegram would answer PHONE_NUMBER_INVALID. */
export function lookupAccount(phoneInput: string): EmulatedAccount | undefined {
  const phone = normalizePhone(phoneInput);
  const match = PHONE_RE.exec(phone);
  if (!match) return undefined;
  const homeDcId = Number(match[1]);
  const suffix = Number(match[2]);
  const digest = createHash('sha256').update(`emulator-user:${phone}`).digest();
  return {
    phone,
    homeDcId,
    suffix,
    userId: USER_ID_BASE + BigInt(homeDcId * 10_000 + suffix),
    accessHash: digest.readBigInt64LE(0),
    firstName: FIRST_NAMES[suffix % 10],
    lastName: LAST_NAMES[Math.floor(suffix / 10) % 10],
    username: `emu${phone}`,
    loginCode: String(homeDcId).repeat(5),
    hasPassword: suffix >= 2000 && suffix <= 2999,
    codeDelivery: codeDeliveryOf(suffix),
    registered: suffix < 9000,
    reloginDays: suffix >= 1900 && suffix <= 1999 ? SETUP_PASSWORD_RELOGIN_DAYS : undefined,
    authRestartAt:
      suffix >= 6000 && suffix <= 6499 ? 'sendCode' : suffix >= 6500 && suffix <= 6999 ? 'signIn' : undefined,
    sendCodeFloodSeconds: suffix >= 8000 && suffix <= 8999 ? SEND_CODE_FLOOD_SECONDS : undefined,
    sendCodeRefusal:
      suffix >= 7000 && suffix <= 7499
        ? 'PHONE_NUMBER_FLOOD'
        : suffix >= 7500 && suffix <= 7599
          ? 'PHONE_NUMBER_BANNED'
          : undefined,
  };
}

function codeDeliveryOf(suffix: number): CodeDelivery {
  if (suffix >= 4000 && suffix <= 4999) return 'sms';
  if (suffix >= 5000 && suffix <= 5999) return 'email_setup_required';
  return 'app';
}

/** The login code the emulator "sends" to this phone (X repeated five times), or undefined for invalid phones. */
export function loginCodeFor(phone: string): string | undefined {
  return lookupAccount(phone)?.loginCode;
}

/** The account with this user id (the inverse of `lookupAccount(...).userId`). */
export function accountByUserId(userId: bigint): EmulatedAccount | undefined {
  const n = userId - USER_ID_BASE;
  if (n < 10_000n || n >= 40_000n) return undefined;
  const homeDcId = Number(n / 10_000n);
  const suffix = Number(n % 10_000n);
  return lookupAccount(`99966${homeDcId}${String(suffix).padStart(4, '0')}`);
}
