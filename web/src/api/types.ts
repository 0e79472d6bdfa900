/** The public REST API's shapes the console reads (see README.md and /openapi.json). */

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

/** Issue 11's message (POST /telegram/send, GET /telegram/messages/{id}). */
export type MessageStatus = 'queued' | 'waiting' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface Message {
  id: string;
  status: MessageStatus;
  attempts?: number;
  telegram_message_id?: number | string | null;
  sent_at?: string | null;
  error?: string | null;
  next_attempt_at?: string | null;
  retry_after?: number | null;
}

export interface SendAccepted {
  message_id: string;
  status: MessageStatus;
}

export interface DevConsoleInfo {
  emulator: boolean;
  token_route: boolean;
}

export interface DevToken {
  token: string;
  user_id: number;
  expires_at: string;
}
