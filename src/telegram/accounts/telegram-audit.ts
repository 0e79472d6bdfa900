import { Injectable } from '@nestjs/common';
import { AppError, RateLimitedError } from '../../common/errors/app-error';
import { AuditLogService } from '../../logs/audit-log.service';

export type TelegramAction =
  'send_code' | 'sign_in' | 'check_password' | 'qr_export' | 'qr_login' | 'reconnect' | 'disconnect';

/** Safe facts only: ids, masked phone, DC, reason codes — never a code, password, token or session. */
export interface AuditFacts {
  session_id?: string;
  phone?: string | null;
  dc_id?: number;
  method?: string;
  [fact: string]: unknown;
}

/** Facts as given; AuditLogService's sanitizer masks every `phone` (`+999*****34`) and drops secrets by key. */
function safeFacts(facts: AuditFacts): Record<string, unknown> {
  const { phone, ...rest } = facts;
  return phone ? { ...rest, phone } : rest;
}

/** Writes the Telegram actions to integration_logs through AuditLogService (which never throws). */
@Injectable()
export class TelegramAudit {
  constructor(private readonly audit: AuditLogService) {}

  record(
    userId: number,
    action: TelegramAction,
    status: 'success' | 'pending',
    facts: AuditFacts,
  ): Promise<void> {
    return this.audit.record({ userId, action, status, details: safeFacts(facts) });
  }

  failed(userId: number, action: TelegramAction, error: unknown, facts: AuditFacts): Promise<void> {
    const known = error instanceof AppError;
    return this.audit.record({
      userId,
      action,
      status: 'error',
      details: {
        ...safeFacts(facts),
        reason: known ? error.code : 'internal_error',
        ...(error instanceof RateLimitedError ? { retry_after: error.retryAfterSeconds } : {}),
      },
      // Domain error messages are fixed texts; anything else is summarised, never echoed.
      errorMessage: known ? error.message : 'Internal error',
    });
  }
}
