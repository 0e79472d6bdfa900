/** What the login routes tell the user, in one place (the flows decide which, never the wording). */

export const QR_SCAN_HINT =
  'Open Telegram on your phone → Settings → Devices → Link Desktop Device, and scan this code';

export const LoginMessages = {
  codeSent: (type: string): string =>
    type === 'app'
      ? 'A login code was sent to this number in the Telegram app; send it as `code` with the phone'
      : type === 'call'
        ? 'A phone call to this number tells the login code; send it as `code` with the phone'
        : type === 'sms'
          ? 'A login code was sent to this number by SMS; send it as `code` with the phone'
          : `A login code was sent to this number (${type}); send it as \`code\` with the phone`,
  setupPasswordRequired: (days: number | null): string =>
    'Telegram asks this account to set up two-step verification' +
    (days === null ? '' : `, otherwise it is logged out in ${days} days`) +
    ' (setup_password_required)',
  loginRestarted: 'Telegram asked to restart the login (AUTH_RESTART); the code sent before is void.',
  resendNeedsNoCode: 'resend asks for a new code: send it with the phone (and session_id) only',
  resendNotPending: 'Only a login waiting for its code can have the code resent',
  passwordPrompt:
    'This account has two-step verification: send the password to POST /api/v1/telegram/connect ' +
    'as {"phone", "password"} (add "session_id" for a QR login)',
  connected: (method: 'phone_code' | 'qr'): string =>
    method === 'qr' ? 'Telegram account connected by QR code' : 'Telegram account connected',
  qrIssued: (sessionId: string): string =>
    `${QR_SCAN_HINT}; then poll GET /api/v1/telegram/qr-code/${sessionId}`,
  qrWaiting: `Waiting for the scan. ${QR_SCAN_HINT}`,
  expired: (method: string | null): string =>
    method === 'qr'
      ? 'This QR login has expired; start a new one with GET /api/v1/telegram/qr-code'
      : 'This login has expired; send the phone number alone to receive a new code',
  qrEnded: (status: string): string =>
    `This QR login has ended (${status}); start a new one with GET /api/v1/telegram/qr-code`,
  qrPendingScan: 'This QR login waits for its scan: poll GET /api/v1/telegram/qr-code/{session_id}',
  notAQrLogin: 'This session was not started as a QR login',
  codeRequired: 'code is required: a login code was sent to this phone',
  noCodeRequest: 'This login holds no code request; start again',
  notPending: (status: string): string => `This session is not a login in progress (${status})`,
  phoneMismatch: 'phone does not match this login',
  notStarted: 'No login is in progress for this phone: send {"phone"} alone first to receive a code',
  noSuchLogin: 'No such login',
  noSuchQrLogin: 'No such QR login',
  unexpectedQrAnswer: 'Telegram answered a new QR login unexpectedly',
} as const;

export const AccountMessages = {
  noSuchAccount: 'No such Telegram account',
  loginPending:
    'This login is not finished: continue it with POST /api/v1/telegram/connect (or poll the QR login)',
  inactive: (status: string, lastError: string | null): string =>
    `This session is ${status}${lastError ? ` (${lastError})` : ''}: it cannot be reconnected; log in again`,
} as const;
