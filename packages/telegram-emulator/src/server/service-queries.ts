import { TL, type IncomingMessage } from './server-messages';
import { tlBytes } from './rsa-key';

/**
 * The service queries of https://core.telegram.org/mtproto/service_messages and
 * service_messages_about_messages that a server answers with their own constructors (not rpc_result).
 */

/** What the connection knows of one MTProto session, for msgs_state_req and rpc_drop_answer. */
export interface SessionView {
  /** msg_ids received (bounded, oldest first). */
  readonly seen: ReadonlySet<bigint>;
  /** msg_ids of RPC queries still being answered, and those of them the client dropped (rpc_drop_answer). */
  readonly running: ReadonlySet<bigint>;
  readonly dropped: Set<bigint>;
}

/** One MTProto session of a connection: its id, the msg_ids seen, and its seqno counter. */
export interface SessionState extends SessionView {
  readonly id: Buffer;
  readonly seen: Set<bigint>;
  readonly running: Set<bigint>;
  seq: number;
}

export const newSession = (id: Buffer): SessionState => ({
  id,
  seen: new Set(),
  running: new Set(),
  dropped: new Set(),
  seq: 0,
});

export interface ServiceContext {
  readonly session: SessionView;
  readonly salt: Buffer;
  readonly nowSeconds: number;
  /** Forgets another session of this key; false when there was none. */
  destroySession(sessionId: bigint): boolean;
}

export interface ServiceAnswer {
  readonly body: Buffer;
  /** Whether the answer needs an acknowledgment (odd seqno). */
  readonly contentRelated: boolean;
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};
const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n, 0);
  return b;
};
const i64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt.asIntN(64, n), 0);
  return b;
};

/** A salt is valid for an hour; this server's salt never rotates, so every window carries the same one. */
const SALT_WINDOW_S = 3600;
/** msg_id bounds of description#message-identifier-msg-id, for msgs_state_req's "too low"/"too high". */
const PAST_S = 300;
const FUTURE_S = 30;

/** Service queries that are answered here; everything else is an RPC for the world. */
export const SERVICE_QUERIES: ReadonlySet<number> = new Set([
  TL.getFutureSalts,
  TL.msgsStateReq,
  TL.msgResendReq,
  TL.destroySession,
  TL.rpcDropAnswer,
]);

function readLongVector(body: Buffer, offset: number): bigint[] {
  if (body.length < offset + 8 || body.readUInt32LE(offset) !== 0x1cb5c415) return [];
  const count = Math.min(body.readUInt32LE(offset + 4), Math.floor((body.length - offset - 8) / 8));
  return Array.from({ length: count }, (_, i) => body.readBigInt64LE(offset + 8 + i * 8));
}

/** msgs_state_info's byte for one msg_id (service_messages_about_messages#request-for-message-status-information). */
function stateOf(msgId: bigint, session: SessionView, nowSeconds: number): number {
  if (session.running.has(msgId)) return 4 | 32;
  if (session.seen.has(msgId)) return 4 | 64;
  const seconds = Number(msgId >> 32n);
  if (seconds < nowSeconds - PAST_S) return 2;
  if (seconds > nowSeconds + FUTURE_S) return 3;
  const oldest = session.seen.values().next().value;
  return oldest !== undefined && msgId < oldest ? 2 : 1;
}

/** Answers one service query, or undefined when it needs no answer (msg_resend_req: nothing is kept to resend). */
export function answerServiceQuery(message: IncomingMessage, ctx: ServiceContext): ServiceAnswer | undefined {
  const body = message.body;
  switch (body.readUInt32LE(0)) {
    case TL.getFutureSalts: {
      const count = Math.max(1, Math.min(64, body.length >= 8 ? body.readInt32LE(4) : 1));
      const start = ctx.nowSeconds - (ctx.nowSeconds % SALT_WINDOW_S);
      const salts = Array.from({ length: count }, (_, i) =>
        Buffer.concat([i32(start + i * SALT_WINDOW_S), i32(start + (i + 1) * SALT_WINDOW_S), ctx.salt]),
      );
      // future_salts#ae500895 req_msg_id:long now:int salts:vector<future_salt> (a bare vector of bare items)
      return {
        body: Buffer.concat([
          u32(TL.futureSalts),
          i64(message.msgId),
          i32(ctx.nowSeconds),
          u32(count),
          ...salts,
        ]),
        contentRelated: false,
      };
    }
    case TL.msgsStateReq: {
      const states = readLongVector(body, 4).map((id) => stateOf(id, ctx.session, ctx.nowSeconds));
      return {
        body: Buffer.concat([u32(TL.msgsStateInfo), i64(message.msgId), tlBytes(Buffer.from(states))]),
        contentRelated: false,
      };
    }
    case TL.destroySession: {
      const sessionId = body.readBigInt64LE(4);
      const ok = ctx.destroySession(sessionId);
      return {
        body: Buffer.concat([u32(ok ? TL.destroySessionOk : TL.destroySessionNone), i64(sessionId)]),
        contentRelated: true,
      };
    }
    case TL.rpcDropAnswer: {
      // Answers leave as soon as they are ready, so only a query still running can be dropped.
      const target = body.readBigInt64LE(4);
      const running = ctx.session.running.has(target);
      if (running) ctx.session.dropped.add(target);
      const answer = u32(running ? TL.rpcAnswerDroppedRunning : TL.rpcAnswerUnknown);
      return { body: Buffer.concat([u32(TL.rpcResult), i64(message.msgId), answer]), contentRelated: true };
    }
    default:
      return undefined;
  }
}
