import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';
import { toSessionMetadata, type SessionState } from '../../src/telegram/accounts/session-metadata';
import type { RawStartMessage } from './protocol';

/**
 * What the two baselines (raw Fastify and bare NestJS) share: the bearer-token rules and the account
 * list's row → JSON mapping, written the way the service does them.
 */

const MAX_USER_ID = 2 ** 31 - 1;

/** A pg pool with the service's settings (size, timeouts). */
export function baselinePool(settings: RawStartMessage, applicationName: string): Pool {
  return new Pool({
    connectionString: settings.databaseUrl,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: 30000,
    statement_timeout: settings.statementTimeoutMs,
    keepAlive: true,
    application_name: applicationName,
  });
}

export interface SessionRow {
  id: string;
  created_at: Date;
  updated_at: Date;
  user_id: number;
  phone: string | null;
  is_active: boolean;
  status: SessionState['status'];
  login_method: SessionState['loginMethod'];
  telegram_user_id: string | null;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  dc_id: number | null;
  code_via_app: boolean | null;
  login_expires_at: Date | null;
  qr_expires_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  connected_at: Date | null;
  last_connected_at: Date | null;
  disconnected_at: Date | null;
  revoked_at: Date | null;
}

/** The account list's JSON, built from the rows field by field (session_metadata from the state columns). */
export function accountsJson(rows: SessionRow[]) {
  return rows.map((row) => ({
    id: row.id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    user_id: row.user_id,
    phone: row.phone,
    // The same mapping as the service: session_metadata built from the state columns.
    session_metadata: toSessionMetadata({
      status: row.status,
      loginMethod: row.login_method,
      telegramUserId: row.telegram_user_id,
      username: row.username,
      firstName: row.first_name,
      lastName: row.last_name,
      dcId: row.dc_id,
      codeViaApp: row.code_via_app,
      loginExpiresAt: row.login_expires_at,
      qrExpiresAt: row.qr_expires_at,
      lastError: row.last_error,
      lastErrorAt: row.last_error_at,
      connectedAt: row.connected_at,
      lastConnectedAt: row.last_connected_at,
      disconnectedAt: row.disconnected_at,
      revokedAt: row.revoked_at,
    }),
    is_active: row.is_active,
  }));
}

/** The service's rules (JwtAuthGuard + JwtVerifier): "Bearer <token>", HS256, user_id (else sub) a positive int32. */
export function userIdFrom(header: string | undefined, key: string | KeyObject): number | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) return undefined;
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(match[1], key, { algorithms: ['HS256'] });
  } catch {
    return undefined;
  }
  if (typeof payload === 'string') return undefined;
  const raw: unknown = payload.user_id !== undefined ? payload.user_id : payload.sub;
  const id =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(id) && id >= 1 && id <= MAX_USER_ID ? id : undefined;
}
