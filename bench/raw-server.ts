import { createSecretKey, type KeyObject } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';
import { toSessionMetadata, type SessionState } from '../src/telegram/accounts/session-metadata';
import { ECHO_BODY_SCHEMA, echoResponse, type EchoBody } from './lib/echo';
import { serveChild, type RawStartMessage } from './lib/protocol';

const MAX_USER_ID = 2 ** 31 - 1;

interface SessionRow {
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

declare module 'fastify' {
  interface FastifyRequest {
    userId?: number;
  }
}

/**
 * The baseline: plain Fastify 5 + pg doing the same work as the service on the benchmarked routes —
 * the same bearer-token rules (HS256 via jsonwebtoken, the user id claim), the same query on a pool
 * of the same size, the same JSON out, and the POST body checked against the same rules.
 */
serveChild<RawStartMessage>(async (settings) => {
  const pool = new Pool({
    connectionString: settings.databaseUrl,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: 30000,
    statement_timeout: settings.statementTimeoutMs,
    keepAlive: true,
    application_name: 'integration-bench-raw',
  });
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    // Fastify's default Ajv silently strips unknown properties and coerces types; the service's
    // ValidationPipe (whitelist + forbidNonWhitelisted) refuses them, so make Ajv refuse too.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });

  const key =
    settings.jwtKey === 'keyobject' ? createSecretKey(Buffer.from(settings.jwtSecret)) : settings.jwtSecret;
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const userId = userIdFrom(request.headers.authorization, key);
    if (userId === undefined) return reply.code(401).send({ status_code: 401, error: 'Unauthorized' });
    request.userId = userId;
  };

  app.get('/health', async () => settings.health);

  app.get('/api/v1/telegram/accounts', { onRequest: authenticate }, async (request) => {
    const { rows } = await pool.query<SessionRow>(settings.accountsSql, [request.userId]);
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
  });

  app.post<{ Body: EchoBody }>(
    '/api/v1/bench/echo',
    { onRequest: authenticate, schema: { body: ECHO_BODY_SCHEMA } },
    async (request) => echoResponse(request.userId as number, request.body),
  );

  await app.listen({ port: 0, host: '127.0.0.1' });
  await pool.query('SELECT 1');
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    fastifyVersion: app.version,
    stop: async () => {
      await app.close();
      await pool.end();
    },
  };
});

/** The service's rules (JwtAuthGuard + JwtVerifier): "Bearer <token>", HS256, user_id (else sub) a positive int32. */
function userIdFrom(header: string | undefined, key: string | KeyObject): number | undefined {
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
