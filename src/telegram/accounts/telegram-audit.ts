import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLogService, type AuditEntry } from '../../logs/audit-log.service';
import { failureEntry, withoutEmpty } from '../../logs/failure-entry';

export type TelegramAction =
  | 'send_code'
  | 'resend_code'
  | 'sign_in'
  | 'check_password'
  | 'qr_export'
  | 'qr_login'
  | 'reconnect'
  | 'watchdog_check'
  | 'disconnect'
  | 'import_session';

/**
 * Safe facts only: ids, masked phone, DC, reason codes — never a code, password, token or session.
 * Empty ones are left out; AuditLogService's sanitizer masks every `phone` and drops secrets by key.
 */
export interface AuditFacts {
  session_id?: string;
  phone?: string | null;
  dc_id?: number | null;
  method?: string | null;
  [fact: string]: unknown;
}

/**
 * The Telegram actions as integration_logs entries. `record` / `failed` write at once through
 * AuditLogService (which never throws): for steps that change no state. Entries built with
 * `entry` / `failureEntry` are written by SessionTransitions inside a state change's transaction.
 */
@Injectable()
export class TelegramAudit {
  constructor(private readonly audit: AuditLogService) {}

  entry(
    userId: number,
    action: TelegramAction,
    status: 'success' | 'pending',
    facts: AuditFacts,
  ): AuditEntry {
    return { userId, action, status, details: withoutEmpty(facts) };
  }

  failureEntry(userId: number, action: TelegramAction, error: unknown, facts: AuditFacts): AuditEntry {
    return failureEntry(userId, action, error, withoutEmpty(facts));
  }

  record(
    userId: number,
    action: TelegramAction,
    status: 'success' | 'pending',
    facts: AuditFacts,
  ): Promise<void> {
    return this.audit.record(this.entry(userId, action, status, facts));
  }

  failed(userId: number, action: TelegramAction, error: unknown, facts: AuditFacts): Promise<void> {
    return this.audit.record(this.failureEntry(userId, action, error, facts));
  }

  /** Inside a transaction: throws when the row cannot be written (the transaction rolls back). */
  recordIn(tx: EntityManager, entry: AuditEntry): Promise<void> {
    return this.audit.recordIn(tx, entry);
  }

  committed(entry: AuditEntry): void {
    this.audit.committed(entry);
  }

  wasWritten(userId: number, id: string): Promise<boolean> {
    return this.audit.wasWritten(userId, id);
  }
}
