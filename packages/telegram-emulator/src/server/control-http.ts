import Fastify, { type FastifyInstance } from 'fastify';
import { EmulatorControlError } from '../errors';
import type { EmulatedChatKind } from '../dialogs';
import type { RevocationReason } from '../world-state';
import type { FaultRequest, LocalEmulatorControl } from '../control/emulator-control-port';
import type { TelegramEmulatorServer } from './emulator-server';

const KINDS: readonly EmulatedChatKind[] = ['channel', 'supergroup', 'group'];
const REASONS: readonly RevocationReason[] = ['AUTH_KEY_UNREGISTERED', 'SESSION_REVOKED'];

class BadControlRequest extends Error {}

const text = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096)
    throw new BadControlRequest(`${name} must be a string`);
  return value;
};

function faultOf(body: Record<string, unknown>): FaultRequest {
  const rawTarget = (body.target ?? {}) as Record<string, unknown>;
  const target = {
    authKeyId: rawTarget.authKeyId === undefined ? undefined : text(rawTarget.authKeyId, 'target.authKeyId'),
    phone: rawTarget.phone === undefined ? undefined : text(rawTarget.phone, 'target.phone'),
  };
  if (target.authKeyId === undefined && target.phone === undefined)
    throw new BadControlRequest('target needs authKeyId or phone');
  if (body.fault === 'drop') return { fault: 'drop', target };
  if (body.fault === 'stall') return { fault: 'stall', target, on: body.on !== false };
  if (body.fault === 'delay' && Number.isInteger(body.ms) && (body.ms as number) >= 0) {
    return { fault: 'delay', target, ms: body.ms as number };
  }
  throw new BadControlRequest('fault must be drop, stall or delay (with ms)');
}

/**
 * The emulator server process's control port (loopback HTTP, JSON): what the service's development routes and
 * tests do to the world — revoke sessions, scan QR codes, revoke bot tokens, create/leave chats — plus network
 * faults and the network description clients need (DC ports, RSA public key).
 */
export async function startControlHttp(
  control: LocalEmulatorControl,
  server: TelegramEmulatorServer,
  host: string,
  port: number,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setErrorHandler((error: Error, _request, reply) => {
    if (error instanceof EmulatorControlError) return reply.status(409).send({ reason: error.reason });
    if (error instanceof BadControlRequest) return reply.status(400).send({ message: error.message });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply
      .status(status >= 400 && status < 500 ? status : 500)
      .send({ message: status < 500 ? error.message : 'internal error' });
  });
  const body = (raw: unknown): Record<string, unknown> => (raw ?? {}) as Record<string, unknown>;

  app.get('/v1/network', () => server.network);
  app.get('/v1/status', () => ({
    connections: server.liveConnections().length,
    auth_keys: server.keys.size,
    auth_key_duplicated: server.world.duplicateKeyUses,
  }));
  app.post('/v1/sessions/revoke', async (request) => {
    const b = body(request.body);
    if (!Array.isArray(b.sessions)) throw new BadControlRequest('sessions must be an array');
    const reason = REASONS.find((r) => r === b.reason) ?? 'AUTH_KEY_UNREGISTERED';
    const sessions = b.sessions.map((s, i) => text(s, `sessions[${i}]`));
    return { revoked: await control.revokeSessions(sessions, text(b.phone, 'phone'), reason) };
  });
  app.post('/v1/qr/scan', async (request) => {
    const b = body(request.body);
    await control.scanQrToken(text(b.token, 'token'), text(b.phone, 'phone'));
    return { scanned: true };
  });
  app.post('/v1/bots/revoke', async (request) => ({
    revoked: (await control.revokeBotToken(text(body(request.body).token, 'token'))) ?? null,
  }));
  app.post('/v1/chats', async (request) => {
    const b = body(request.body);
    const kind = KINDS.find((k) => k === b.kind);
    if (!kind) throw new BadControlRequest('kind must be channel, supergroup or group');
    const title = text(b.title, 'title');
    return { chat: (await control.createChat(text(b.phone, 'phone'), kind, title)) ?? null };
  });
  app.post('/v1/chats/leave', async (request) => {
    const b = body(request.body);
    const chatId = text(b.chat_id, 'chat_id');
    if (!/^-\d{1,19}$/.test(chatId)) throw new BadControlRequest('chat_id must be -100<id> or -<id>');
    return { left: await control.leaveChat(text(b.phone, 'phone'), chatId) };
  });
  app.post('/v1/chats/add-bot', async (request) => {
    const b = body(request.body);
    const chatId = text(b.chat_id, 'chat_id');
    if (!/^-\d{1,19}$/.test(chatId)) throw new BadControlRequest('chat_id must be -100<id> or -<id>');
    const botUserId = text(b.bot_user_id, 'bot_user_id');
    if (!/^\d{1,19}$/.test(botUserId)) throw new BadControlRequest('bot_user_id must be digits');
    return { added: await control.addBotToChat(chatId, botUserId, b.admin === true) };
  });
  app.post('/v1/keys/forget', async (request) => {
    const b = body(request.body);
    const sessions = Array.isArray(b.sessions)
      ? b.sessions.map((s, i) => text(s, `sessions[${i}]`))
      : undefined;
    return { forgotten: await control.forgetKeys(text(b.phone, 'phone'), sessions) };
  });
  app.post('/v1/users/migrate', async (request) => {
    const b = body(request.body);
    if (!Number.isInteger(b.dc)) throw new BadControlRequest('dc must be an integer');
    return { migrated: await control.migrateUser(text(b.phone, 'phone'), b.dc as number) };
  });
  app.post('/v1/flood', async (request) => {
    const b = body(request.body);
    const sender = text(b.sender, 'sender');
    if (!/^(account|bot):\d{1,19}$/.test(sender))
      throw new BadControlRequest('sender must be account:<phone> or bot:<id>');
    if (!Number.isInteger(b.seconds) || (b.seconds as number) < 1)
      throw new BadControlRequest('seconds must be a positive integer');
    await control.floodNext(sender, b.seconds as number);
    return { armed: true };
  });
  app.get('/v1/chats/messages', async (request) => {
    const chatId = text((request.query as Record<string, unknown>).chat_id, 'chat_id');
    return { messages: await control.chatMessages(chatId) };
  });
  app.post('/v1/faults', async (request) => ({
    connections: (await control.fault(faultOf(body(request.body)))) ?? 0,
  }));

  await app.listen({ host, port });
  return app;
}
