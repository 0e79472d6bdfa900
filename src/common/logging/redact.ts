/**
 * Scrubbing of log records and audit details, by field: values under secret-named keys are
 * replaced, values under phone keys are masked. Free text is never pattern-masked for phones or
 * other data (that corrupted UUIDs and request ids); only credential shapes that cannot be
 * anything else — bearer tokens, JWTs, bot tokens, API keys, `password=…` assignments — are cut out of messages.
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /(pass(word|phrase)?|secret|token|authorization|cookie|session_?(data|string)|string_?session|api_?hash|phone_?code|login_?code|ciphertext|private_?key|srp|auth_?key|^(x-)?api[-_]?key$)/i;
/** `code` names a login code in request bodies, and an error code everywhere else. */
const CODE_KEY = /^code$/i;
const ERROR_CODE = /^[a-z][a-z0-9_]*$/;
const NOT_SECRET_KEYS = new Set(['code_hash_present']);
const PHONE_KEY = /phone/i;
const BEARER_IN_TEXT = /\b(Bearer\s+)[A-Za-z0-9._~+/-]+=*/gi;
const ASSIGNMENT_IN_TEXT =
  /\b(password|passwd|secret|token|api_hash|phone_code|session_string)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi;
const JWT_IN_TEXT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** A Telegram bot token (`123456:` + 35 characters), e.g. inside a Bot API URL. */
const BOT_TOKEN_IN_TEXT = /\b\d{5,12}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g;

/** One of our API keys (`isk_` + 43 base64url characters). */
const API_KEY_IN_TEXT = /\bisk_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/** Keeps the country code and the last two digits: +99966*****67. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 6) return '*'.repeat(digits.length);
  const plus = phone.trim().startsWith('+') ? '+' : '';
  return `${plus}${digits.slice(0, 3)}${'*'.repeat(digits.length - 5)}${digits.slice(-2)}`;
}

/** Cuts credentials out of a message; leaves every other character as it was. */
export function scrubText(text: string): string {
  return text
    .replace(BEARER_IN_TEXT, `$1${REDACTED}`)
    .replace(JWT_IN_TEXT, REDACTED)
    .replace(BOT_TOKEN_IN_TEXT, REDACTED)
    .replace(API_KEY_IN_TEXT, REDACTED)
    .replace(ASSIGNMENT_IN_TEXT, `$1$2${REDACTED}`);
}

function isSecretField(key: string, value: unknown): boolean {
  if (value === undefined || value === null || NOT_SECRET_KEYS.has(key)) return false;
  if (CODE_KEY.test(key)) return !(typeof value === 'string' && ERROR_CODE.test(value));
  return SECRET_KEY.test(key);
}

export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[Truncated]';
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrubText(value.message),
      stack: value.stack ? scrubText(value.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (isSecretField(key, item)) out[key] = REDACTED;
    else if (PHONE_KEY.test(key) && typeof item === 'string') out[key] = maskPhone(item);
    else out[key] = scrub(item, depth + 1);
  }
  return out;
}
