/** The public REST API's shapes the console reads (see docs/api.md and /openapi.json). */

export interface SessionMetadata {
  status?: string;
  method?: string | null;
  telegram_user_id?: string | null;
  username?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  dc_id?: number | null;
  connected_at?: string | null;
  last_connected_at?: string | null;
  last_error?: string | null;
}

export interface Account {
  id: string;
  created_at: string;
  updated_at: string;
  user_id: number;
  phone: string | null;
  session_metadata: SessionMetadata;
  is_active: boolean;
}

export type LoginStatus = 'success' | 'pending' | 'code_required' | '2fa_required' | 'error' | 'expired';

export interface LoginResponse {
  status: LoginStatus;
  session_id: string;
  message: string;
  qr_code?: string;
  expires_at?: string;
  code_type?: string;
  next_code_type?: string | null;
  resend_after?: string | null;
  account?: Account;
}

export interface Bot {
  id: string;
  created_at: string;
  username: string;
  first_name: string | null;
  telegram_bot_id: string | null;
  can_join_groups: boolean | null;
  can_read_all_group_messages: boolean | null;
  dc_id: number | null;
  settings: Record<string, unknown>;
  status: string;
  is_active: boolean;
  last_error: string | null;
  last_checked_at: string | null;
}

export type ChannelType = 'channel' | 'supergroup' | 'group';

export interface ChannelSender {
  type: 'account' | 'bot';
  id: string;
  role: string;
  can_post: boolean;
  is_active: boolean;
}

export interface Channel {
  id: string;
  channel_id: string;
  title: string;
  type: ChannelType;
  username: string | null;
  members_count: number | null;
  settings: Record<string, unknown>;
  is_active: boolean;
  last_synced_at: string | null;
  senders: ChannelSender[];
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number | null;
  size: number;
  pages: number;
}

export interface SyncResult {
  added: number;
  updated: number;
  deactivated: number;
  total: number;
}

export interface LogItem {
  id: string;
  integration_type: string;
  action: string;
  status: 'success' | 'error' | 'pending';
  details: Record<string, unknown>;
  error_message: string | null;
  created_at: string;
}

export interface LogsPage extends Page<LogItem> {
  next_cursor: string | null;
}

export interface ErrorStats {
  total_actions: number;
  error_count: number;
  success_count: number;
  error_rate: number;
  period_days: number;
}

export interface ComponentHealth {
  status: string;
  type: string;
  latency_ms: number;
  critical: boolean;
  error?: string;
}

export interface DetailedHealth {
  status: string;
  service: string;
  timestamp: string;
  version: string;
  uptime_seconds: number;
  components: Record<string, ComponentHealth>;
}

/** POST /api/v1/telegram/send and GET /api/v1/telegram/messages/{id} (src/telegram/messages/messages.dto.ts). */
export type MessageStatus = 'queued' | 'waiting' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface MessageError {
  code: string;
  message: string;
}

export interface MessageMedia {
  kind: 'photo' | 'document';
  file_name: string;
  mime_type: string;
  size: number;
}

export interface Message {
  id: string;
  status: MessageStatus;
  attempts: number;
  /** Null until sent, and when unknown (RANDOM_ID_DUPLICATE). */
  telegram_message_id: string | null;
  sent_at: string | null;
  /** Why it failed, or the last problem while retrying. */
  error: MessageError | null;
  sender_type: 'account' | 'bot';
  sender_id: string;
  chat_id: string;
  channel_id: string | null;
  text: string;
  parse_mode: 'markdown' | 'html' | null;
  media: MessageMedia | null;
  random_id: string;
  send_at: string | null;
  /** While queued or waiting: not before then (a flood / slow-mode wait, a back-off); else null. */
  next_attempt_at: string | null;
  queued_at: string;
  created_at: string;
  updated_at: string;
}

/** The 202 answer of POST /api/v1/telegram/send. */
export interface SendAccepted {
  message_id: string;
  status: 'queued';
  sender_type: 'account' | 'bot';
  sender_id: string;
  chat_id: string;
  channel_id: string | null;
  send_at: string | null;
  queued_at: string;
}

/** `data` of the `telegram.message.*` events (src/events/catalogue/event-types.ts). */
export interface MessageEventData {
  message_id: string;
  status: MessageStatus;
  channel_row_id: string | null;
  reason: string | null;
  /** `telegram.message.waiting` only: the end of the wait. */
  not_before?: string;
}

/** POST /api/v1/dev/telegram-emulator/flood. */
export interface EmulatorFloodArmed {
  armed: string;
}

export interface DevConsoleInfo {
  emulator: boolean;
  token_route: boolean;
  /** How the service reaches the emulator: its world in the service process, or a server over TCP. */
  emulator_transport?: 'in-process' | 'tcp';
  /** The emulator server's address (TCP only). */
  emulator_address?: string;
}

/** POST /api/v1/dev/telegram-emulator/revoke. */
export interface EmulatorRevoked {
  revoked: number;
}

export interface DevToken {
  token: string;
  user_id: number;
  expires_at: string;
}

/** The scopes an API key may hold: the service's own list (plain data, bundled as is). */
export { API_KEY_SCOPES } from '../../../src/common/auth/api-key-scopes';

export interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  key_prefix: string;
  account_ids: string[] | null;
  bot_ids: string[] | null;
  expires_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

/** The answer that makes a key: the only one that holds `key`. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

/** The answer of POST /api/v1/telegram/accounts/import. */
export interface ImportedSession {
  account: Account;
  format: string;
  api_id: number | null;
  api_id_matches: boolean | null;
}
