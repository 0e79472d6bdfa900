import { ALL_EVENT_TYPES } from '../catalogue/event-types';

/** Close codes of /api/v1/ws (4000-4999 are the application's own, RFC 6455 §7.4.2). */
export const WS_CLOSE = {
  unauthorized: 4401,
  tooMany: 4429,
  badMessage: 4400,
} as const;

export type ClientMessage =
  | { type: 'auth'; token: string; last_event_id?: string }
  | { type: 'subscribe'; types: string[]; last_event_id?: string }
  | { type: 'ping' };

export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_PATTERNS = 50;

/** Parses one text frame from a client; throws ProtocolError naming what is wrong. */
export function parseClientMessage(raw: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ProtocolError('bad_message', 'Messages must be JSON objects');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad_message', 'Messages must be JSON objects');
  }
  const m = value as Record<string, unknown>;
  const lastEventId = m.last_event_id;
  if (lastEventId !== undefined && (typeof lastEventId !== 'string' || !UUID.test(lastEventId))) {
    throw new ProtocolError('bad_message', 'last_event_id must be an event id (UUID)');
  }
  switch (m.type) {
    case 'auth':
      if (typeof m.token !== 'string' || m.token.length === 0 || m.token.length > 8192) {
        throw new ProtocolError('bad_message', 'auth needs a token');
      }
      return { type: 'auth', token: m.token, ...(lastEventId ? { last_event_id: lastEventId } : {}) };
    case 'subscribe': {
      const types = m.types;
      if (
        !Array.isArray(types) ||
        types.length > MAX_PATTERNS ||
        !types.every((t) => typeof t === 'string')
      ) {
        throw new ProtocolError('bad_message', `types must be an array of at most ${MAX_PATTERNS} strings`);
      }
      for (const pattern of types as string[]) {
        if (!ALL_EVENT_TYPES.some((type) => matches(pattern, type))) {
          throw new ProtocolError('unknown_type', `"${pattern.slice(0, 100)}" matches no event type`);
        }
      }
      return {
        type: 'subscribe',
        types: types as string[],
        ...(lastEventId ? { last_event_id: lastEventId } : {}),
      };
    }
    case 'ping':
      return { type: 'ping' };
    default:
      throw new ProtocolError('bad_message', 'type must be "auth", "subscribe" or "ping"');
  }
}

/** `telegram.account.connected` exactly, `telegram.account.*` (any type below that prefix) or `*`. */
export function matches(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === '#') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** A subscription: no patterns means every type. */
export function wants(patterns: readonly string[] | undefined, type: string): boolean {
  return patterns === undefined || patterns.some((p) => matches(p, type));
}

/** The bearer token offered in Sec-WebSocket-Protocol (`bearer, <token>`), if any. */
export function tokenFromProtocols(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const offered = header.split(',').map((p) => p.trim());
  const at = offered.findIndex((p) => p.toLowerCase() === 'bearer');
  return at >= 0 && offered[at + 1] ? offered[at + 1] : undefined;
}
