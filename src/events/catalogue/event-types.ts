/**
 * The event catalogue: every type the service emits, what its `data` holds and an example. The
 * AsyncAPI document (/asyncapi.json) and the table in docs/events.md are built from / checked against it.
 */
export interface EventField {
  type: 'string' | 'integer' | 'boolean';
  description: string;
  nullable?: boolean;
}

export interface EventTypeSpec {
  summary: string;
  /** Which code path produces it. */
  producer: string;
  /** Subject form, e.g. `sessions/{session_id}`. */
  subject: string;
  fields: Record<string, EventField>;
  example: Record<string, unknown>;
}

const sessionId: EventField = { type: 'string', description: 'telegram_sessions id (UUID)' };
const phone: EventField = { type: 'string', description: 'masked phone (+999*****67)', nullable: true };
const method: EventField = { type: 'string', description: '`phone_code` or `qr`' };
const status: EventField = { type: 'string', description: 'the session status after the change' };
const reason: EventField = { type: 'string', description: 'reason code', nullable: true };
const botId: EventField = { type: 'string', description: 'telegram_bots id (UUID)' };
const messageId: EventField = { type: 'string', description: 'message id (UUID) from POST /telegram/send' };

const account = (
  summary: string,
  extra: Record<string, EventField> = {},
  example: Record<string, unknown> = {},
) => ({
  summary,
  producer: 'SessionTransitions (src/telegram/accounts/session-transitions.ts)',
  subject: 'sessions/{session_id}',
  fields: { session_id: sessionId, phone, method, status, ...extra },
  example: {
    session_id: '6f1c2a8e-1b7d-4c3e-9a55-0d6b7a3c9e21',
    phone: '+999*****67',
    method: 'phone_code',
    ...example,
  },
});

const qr = (summary: string, example: Record<string, unknown>, extra: Record<string, EventField> = {}) => ({
  summary,
  producer: 'SessionTransitions via QrLoginService (and the live QR follower while a socket listens)',
  subject: 'sessions/{session_id}',
  fields: { session_id: sessionId, status, ...extra },
  example: { session_id: '6f1c2a8e-1b7d-4c3e-9a55-0d6b7a3c9e21', ...example },
});

const bot = (summary: string, example: Record<string, unknown>) => ({
  summary,
  producer: 'BotTransitions (src/telegram/bots/bot-transitions.ts)',
  subject: 'bots/{bot_id}',
  fields: {
    bot_id: botId,
    telegram_bot_id: { type: 'string', description: "the bot's Telegram user id" } as EventField,
    username: { type: 'string', description: "the bot's username" } as EventField,
    reason,
  },
  example: {
    bot_id: '0b8e3f44-6a1e-4d8c-b0a3-2f7c5d9e1a10',
    telegram_bot_id: '7000000001',
    username: 'news_bot',
    ...example,
  },
});

const message = (summary: string, example: Record<string, unknown>) => ({
  summary,
  producer: 'the message send queue (message-transitions.ts, issue 11)',
  subject: 'messages/{message_id}',
  fields: {
    message_id: messageId,
    status: { type: 'string', description: 'the message status after the change' } as EventField,
    channel_row_id: {
      type: 'string',
      description: 'telegram_channels id of the target',
      nullable: true,
    } as EventField,
    reason,
  },
  example: { message_id: '9d3e1c5a-7b2f-4e8d-a6c1-3f5b7d9e0a12', ...example },
});

export const EVENT_TYPES = {
  'telegram.account.login_started': account(
    'A login began (phone code requested or QR shown).',
    {},
    { status: 'code_sent' },
  ),
  'telegram.account.code_sent': account(
    'Telegram sent (or re-sent) a login code.',
    { code_type: { type: 'string', description: 'how the code travels (app, sms, …)', nullable: true } },
    { status: 'code_sent' },
  ),
  'telegram.account.2fa_required': account(
    'The login waits for the 2FA password.',
    {},
    { status: '2fa_required' },
  ),
  'telegram.account.connected': account(
    'The session is connected (a login finished or a reconnect succeeded).',
    { dc_id: { type: 'integer', description: 'Telegram data centre', nullable: true } },
    { status: 'connected', dc_id: 2 },
  ),
  'telegram.account.disconnected': account(
    'The session was logged out and deactivated by its user.',
    { reason },
    { status: 'disconnected', reason: null },
  ),
  'telegram.account.revoked': account(
    "Telegram no longer accepts the session (revoked on the user's side, or duplicated).",
    { reason },
    { status: 'revoked', reason: 'SESSION_REVOKED' },
  ),
  'telegram.account.error': account(
    'A login ended for good, or a reconnect failed with a reason noted on the session.',
    { reason },
    { status: 'failed', reason: 'login_expired' },
  ),
  'telegram.qr_login.token_renewed': qr(
    'The QR code to show changed (the old token expired).',
    { status: 'qr_pending', expires_at: '2026-12-01T22:00:30.000Z' },
    { expires_at: { type: 'string', description: 'when the new code expires (ISO 8601)' } },
  ),
  'telegram.qr_login.scanned': qr('Telegram reported the QR code scanned.', { status: 'qr_pending' }),
  'telegram.qr_login.2fa_required': qr('The scanned QR login waits for the 2FA password.', {
    status: '2fa_required',
  }),
  'telegram.qr_login.succeeded': qr('The QR login finished: the session is connected.', {
    status: 'connected',
  }),
  'telegram.qr_login.expired': qr(
    'The QR login expired before it was finished.',
    { status: 'failed', reason: 'login_expired' },
    { reason },
  ),
  'telegram.bot.added': bot('A bot was added by its token.', {}),
  'telegram.bot.removed': bot('A bot was removed.', {}),
  'telegram.bot.revoked': bot('Telegram no longer accepts the bot token.', {
    reason: 'ACCESS_TOKEN_INVALID',
  }),
  'telegram.channels.synced': {
    summary: "The user's channels and groups were synced from an account's dialogs.",
    producer: 'ChannelTransitions (src/telegram/channels/channel-transitions.ts)',
    subject: 'sessions/{session_id}/channels',
    fields: {
      session_id: sessionId,
      added: { type: 'integer', description: 'chats new to the list' },
      updated: { type: 'integer', description: 'chats already listed' },
      deactivated: { type: 'integer', description: 'chats the account no longer reaches' },
    },
    example: { session_id: '6f1c2a8e-1b7d-4c3e-9a55-0d6b7a3c9e21', added: 3, updated: 1, deactivated: 0 },
  },
  'telegram.message.queued': message('A message was accepted into the send queue.', { status: 'queued' }),
  'telegram.message.waiting': message('A send was rescheduled (FLOOD_WAIT / SLOWMODE_WAIT).', {
    status: 'waiting',
    reason: 'FLOOD_WAIT',
  }),
  'telegram.message.sent': message('Telegram accepted the message.', { status: 'sent' }),
  'telegram.message.failed': message('The message could not be sent.', {
    status: 'failed',
    reason: 'CHAT_WRITE_FORBIDDEN',
  }),
  'telegram.message.cancelled': message('The message was cancelled before it was sent.', {
    status: 'cancelled',
  }),
} satisfies Record<string, EventTypeSpec>;

export type EventType = keyof typeof EVENT_TYPES;

export const ALL_EVENT_TYPES = Object.keys(EVENT_TYPES) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_TYPES, value);
}
