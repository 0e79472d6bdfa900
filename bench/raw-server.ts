import { createSecretKey } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { accountsJson, baselinePool, userIdFrom, type SessionRow } from './lib/baseline';
import { ECHO_BODY_SCHEMA, echoResponse, type EchoBody } from './lib/echo';
import { serveChild, type RawStartMessage } from './lib/protocol';

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
  const pool = baselinePool(settings, 'integration-bench-raw');
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
    return accountsJson(rows);
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
