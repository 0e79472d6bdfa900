import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tlBytes } from './rsa-key';

/** Constructor ids of the service messages the server reads or writes (https://core.telegram.org/mtproto/service_messages). */
export const TL = {
  msgContainer: 0x73f1f8dc,
  gzipPacked: 0x3072cfa1,
  msgsAck: 0x62d6b459,
  ping: 0x7abe77ec,
  pingDelayDisconnect: 0xf3427b8c,
  pong: 0x347773c5,
  rpcResult: 0xf35c6d01,
  rpcError: 0x2144ca19,
  badMsgNotification: 0xa7eff811,
  badServerSalt: 0xedab447b,
  newSessionCreated: 0x9ec20908,
  httpWait: 0x9299359f,
  getFutureSalts: 0xb921bd04,
  futureSalts: 0xae500895,
  futureSalt: 0x0949d9dc,
  msgsStateReq: 0xda69fb52,
  msgsStateInfo: 0x04deb57d,
  msgResendReq: 0x7d861a08,
  destroySession: 0xe7512126,
  destroySessionOk: 0xe22045fc,
  destroySessionNone: 0x62d350c9,
  rpcDropAnswer: 0x58e4a740,
  rpcAnswerUnknown: 0x5e2ad36e,
  rpcAnswerDroppedRunning: 0xcd78e586,
} as const;

export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};
export const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n, 0);
  return b;
};
export const i64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt.asIntN(64, n), 0);
  return b;
};

/** Only containers and acknowledgements (and http_wait) are not content-related. */
export const isContentRelated = (constructorId: number): boolean =>
  constructorId !== TL.msgContainer && constructorId !== TL.msgsAck && constructorId !== TL.httpWait;

/** msg_id time bounds (https://core.telegram.org/mtproto/description#message-identifier-msg-id). */
const MSG_ID_PAST_S = 300;
const MSG_ID_FUTURE_S = 30;

/**
 * The bad_msg_notification code a message earns (mtproto/service_messages_about_messages), 0 when it is fine:
 * 16/17 msg_id too old/new, 18 msg_id not ≡ 0 mod 4, 35 an even seqno on a content-related message. The
 * converse (34: an odd seqno on a message needing no ack, as mtcute sends msgs_ack) Telegram tolerates.
 */
export function badMsgCode(
  message: { msgId: bigint; seqNo: number; body: Buffer },
  nowSeconds: number,
): number {
  const seconds = Number(message.msgId >> 32n);
  if (seconds < nowSeconds - MSG_ID_PAST_S) return 16;
  if (seconds > nowSeconds + MSG_ID_FUTURE_S) return 17;
  if (message.msgId % 4n !== 0n) return 18;
  const related = message.body.length >= 4 && isContentRelated(message.body.readUInt32LE(0));
  return related && message.seqNo % 2 === 0 ? 35 : 0;
}

export const pong = (msgId: bigint, pingId: bigint): Buffer =>
  Buffer.concat([u32(TL.pong), i64(msgId), i64(pingId)]);

export const badMsgNotification = (badMsgId: bigint, badSeqNo: number, code: number): Buffer =>
  Buffer.concat([u32(TL.badMsgNotification), i64(badMsgId), i32(badSeqNo), i32(code)]);

export const badServerSalt = (badMsgId: bigint, badSeqNo: number, salt: Buffer): Buffer =>
  Buffer.concat([u32(TL.badServerSalt), i64(badMsgId), i32(badSeqNo), i32(48), salt]);

export const newSessionCreated = (firstMsgId: bigint, salt: Buffer): Buffer =>
  Buffer.concat([u32(TL.newSessionCreated), i64(firstMsgId), randomBytes(8), salt]);

export const msgsAck = (msgIds: readonly bigint[]): Buffer =>
  Buffer.concat([u32(TL.msgsAck), u32(0x1cb5c415), u32(msgIds.length), ...msgIds.map(i64)]);

export const rpcError = (code: number, message: string): Buffer =>
  Buffer.concat([u32(TL.rpcError), i32(code), tlBytes(Buffer.from(message, 'utf8'))]);

/** rpc_result; a result over 512 bytes goes gzip_packed when that is shorter, as Telegram does. */
export function rpcResult(reqMsgId: bigint, result: Buffer): Buffer {
  let body = result;
  if (result.length > 512) {
    const packed = Buffer.concat([u32(TL.gzipPacked), tlBytes(gzipSync(result))]);
    if (packed.length < result.length) body = packed;
  }
  return Buffer.concat([u32(TL.rpcResult), i64(reqMsgId), body]);
}

export interface OutgoingMessage {
  readonly msgId: bigint;
  readonly seqNo: number;
  readonly body: Buffer;
}

export const container = (messages: readonly OutgoingMessage[]): Buffer =>
  Buffer.concat([
    u32(TL.msgContainer),
    u32(messages.length),
    ...messages.flatMap((m) => [i64(m.msgId), i32(m.seqNo), i32(m.body.length), m.body]),
  ]);

/** One message inside a container, or the outer message of a packet. */
export interface IncomingMessage {
  readonly msgId: bigint;
  readonly seqNo: number;
  readonly body: Buffer;
}

export class MalformedMessageError extends Error {}

export function readContainer(body: Buffer): IncomingMessage[] {
  if (body.length < 8) throw new MalformedMessageError('short container');
  const count = body.readUInt32LE(4);
  const messages: IncomingMessage[] = [];
  let offset = 8;
  for (let i = 0; i < count; i++) {
    if (offset + 16 > body.length) throw new MalformedMessageError('truncated container');
    const length = body.readInt32LE(offset + 12);
    if (length < 4 || offset + 16 + length > body.length) throw new MalformedMessageError('bad inner length');
    messages.push({
      msgId: body.readBigInt64LE(offset),
      seqNo: body.readInt32LE(offset + 8),
      body: body.subarray(offset + 16, offset + 16 + length),
    });
    offset += 16 + length;
  }
  return messages;
}

/** The bytes of a TL `bytes` value at `offset`. */
export function readTlBytes(buffer: Buffer, offset: number): Buffer {
  let length = buffer[offset];
  let start = offset + 1;
  if (length === 254) {
    length = buffer.readUIntLE(offset + 1, 3);
    start = offset + 4;
  }
  if (start + length > buffer.length) throw new MalformedMessageError('truncated bytes');
  return buffer.subarray(start, start + length);
}

/** Server msg_ids: time-based, strictly increasing, ≡ 1 (mod 4) for responses and ≡ 3 otherwise. */
export class ServerMsgIds {
  private last = 0n;

  next(isResponse: boolean): bigint {
    const now = Date.now();
    const seconds = BigInt(Math.floor(now / 1000));
    const fraction = BigInt(Math.floor(((now % 1000) / 1000) * 2 ** 32));
    let id = (seconds << 32n) | (fraction & ~3n);
    if (id <= this.last) id = (this.last & ~3n) + 4n;
    id |= isResponse ? 1n : 3n;
    this.last = id;
    return id;
  }
}
