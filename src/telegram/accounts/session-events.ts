import type { EventType } from '../../events/catalogue/event-types';
import type { EventDraft } from '../../events/outbox/outbox.service';
import type { SessionStatus, TelegramSessionEntity } from './telegram-session.entity';

/** Which transition SessionTransitions applied: decides the events written with it. */
export type SessionChange =
  | { kind: 'code_sent' }
  | { kind: 'code_resent'; codeType: string }
  | { kind: 'qr_issued' }
  | { kind: 'qr_renewed' }
  | { kind: 'password_needed' }
  | { kind: 'connected'; from: SessionStatus }
  | { kind: 'login_failed'; reason: string }
  | { kind: 'reconnected' }
  | { kind: 'revoked'; reason: string }
  | { kind: 'error_noted'; reason: string }
  | { kind: 'disconnected'; reason?: string };

/**
 * The events of a session transition, from the stored row: ids, masked phone (the outbox scrubs it
 * again), method, status and reason codes — never the session, a code or a password.
 */
export function sessionEvents(
  userId: number,
  change: SessionChange,
  row: TelegramSessionEntity,
): EventDraft[] {
  const base = { session_id: row.id, phone: row.phone, method: row.loginMethod, status: row.status };
  const event = (type: EventType, extra: Record<string, unknown> = {}): EventDraft => ({
    type,
    subject: `sessions/${row.id}`,
    userId,
    data: { ...base, ...extra },
  });
  const qr = row.loginMethod === 'qr';
  switch (change.kind) {
    case 'code_sent':
      return [event('telegram.account.login_started'), event('telegram.account.code_sent')];
    case 'code_resent':
      return [event('telegram.account.code_sent', { code_type: change.codeType })];
    case 'qr_issued':
      return [event('telegram.account.login_started', { expires_at: row.qrExpiresAt?.toISOString() })];
    case 'qr_renewed':
      return [event('telegram.qr_login.token_renewed', { expires_at: row.qrExpiresAt?.toISOString() })];
    case 'password_needed':
      return qr
        ? [
            event('telegram.qr_login.scanned'),
            event('telegram.qr_login.2fa_required'),
            event('telegram.account.2fa_required'),
          ]
        : [event('telegram.account.2fa_required')];
    case 'connected':
      return [
        ...(qr && change.from === 'qr_pending' ? [event('telegram.qr_login.scanned')] : []),
        ...(qr ? [event('telegram.qr_login.succeeded')] : []),
        event('telegram.account.connected', { dc_id: row.dcId }),
      ];
    case 'login_failed':
      return [
        ...(qr && change.reason === 'login_expired'
          ? [event('telegram.qr_login.expired', { reason: change.reason })]
          : []),
        event('telegram.account.error', { reason: change.reason }),
      ];
    case 'reconnected':
      return [event('telegram.account.connected', { dc_id: row.dcId })];
    case 'revoked':
      return [event('telegram.account.revoked', { reason: change.reason })];
    case 'error_noted':
      return [event('telegram.account.error', { reason: change.reason })];
    case 'disconnected':
      return [event('telegram.account.disconnected', { reason: change.reason ?? null })];
  }
}
