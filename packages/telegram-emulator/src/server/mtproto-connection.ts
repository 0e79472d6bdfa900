import type { Socket } from 'node:net';
import { unzipSync } from 'node:zlib';
import type { EmulatorEndpoint, EmulatorLink, EmulatorReply } from '../emulator';
import { ConnectionLayer } from '../layers/connection-layer';
import { decodeObject } from '../tl-codec';
import type { AuthKeyStore, StoredAuthKey } from './auth-key-store';
import { AuthKeyExchange, HandshakeError } from './handshake';
import { decryptClientMessage, encryptServerMessage, MessageIntegrityError } from './mtproto-crypto';
import type { EmulatorRsaKey } from './rsa-key';
import {
  badMsgCode,
  i32,
  i64,
  u32,
  badMsgNotification,
  badServerSalt,
  container,
  newSessionCreated,
  pong,
  readContainer,
  readTlBytes,
  rpcError,
  rpcResult,
  ServerMsgIds,
  TL,
  type IncomingMessage,
  type OutgoingMessage,
} from './server-messages';
import { answerServiceQuery, newSession, SERVICE_QUERIES, type SessionState } from './service-queries';
import { ServerTransport, transportErrorPayload } from './transport';

/** What a connection needs from the DC that accepted it. */
export interface ConnectionHost {
  readonly dcId: number;
  readonly world: EmulatorEndpoint;
  readonly keys: AuthKeyStore;
  readonly rsa: EmulatorRsaKey;
  /** Service messages sent, by kind (bad_msg_notification codes, bad_server_salt, new_session_created). */
  count(event: string): void;
  /** Other open connections of this DC bound to the same auth key. */
  othersWithKey(connection: MtprotoConnection): MtprotoConnection[];
  closed(connection: MtprotoConnection): void;
}

/** A new connection with a key still open elsewhere waits this long for the old one's FIN before it counts as a duplicate. */
const DUPLICATE_GRACE_MS = 250;
const SEEN_MSG_IDS = 1000;

interface Pending {
  readonly session: SessionState;
  readonly body: Buffer;
  readonly contentRelated: boolean;
  readonly isResponse: boolean;
}

/**
 * The server side of one client TCP connection to one DC: transport framing, the auth-key exchange, then
 * MTProto 2.0 messages (salts, msg_id/seqno checks, containers, gzip, acks, pings) with each RPC handed to
 * the emulated world through an EmulatorLink — the same world and handlers the in-process mode uses.
 */
export class MtprotoConnection {
  private static nextId = 1;
  readonly id = MtprotoConnection.nextId++;
  key?: StoredAuthKey;
  link?: EmulatorLink;
  /** Fault: accept bytes, answer nothing. */
  stalled = false;
  /** Fault: every answer leaves this many ms late. */
  delayMs = 0;
  private readonly transport = new ServerTransport();
  /** The layer the client declared (invokeWithLayer): requests and answers are rewritten between it and the world's. */
  private readonly layer = new ConnectionLayer();
  private readonly handshake: AuthKeyExchange;
  private readonly msgIds = new ServerMsgIds();
  private readonly sessions = new Map<string, SessionState>();
  private current?: SessionState;
  private chain: Promise<void> = Promise.resolve();
  private outbox: Pending[] = [];
  private flushScheduled = false;
  private closedFlag = false;
  private pingDisconnect?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    this.handshake = new AuthKeyExchange(host.rsa, () => Math.floor(Date.now() / 1000));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Fault: drop the TCP connection (GramJS notices and reconnects). */
  drop(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.stalled || this.closedFlag) return;
    let packets: Buffer[];
    try {
      packets = this.transport.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const packet of packets) {
      this.chain = this.chain
        .then(() => this.onPacket(packet))
        .catch(() => {
          this.socket.destroy();
        });
    }
  }

  private async onPacket(packet: Buffer): Promise<void> {
    if (this.stalled || this.closedFlag || packet.length < 8) return;
    if (packet.readBigUInt64LE(0) === 0n) return this.onPlain(packet);
    return this.onEncrypted(packet);
  }

  /** An unencrypted message: only the auth-key exchange travels this way. */
  private onPlain(packet: Buffer): void {
    if (packet.length < 20) throw new MessageIntegrityError('short plain message');
    const length = packet.readInt32LE(16);
    let answer: ReturnType<AuthKeyExchange['answer']>;
    try {
      answer = this.handshake.answer(decodeObject(packet.subarray(20, 20 + length)));
    } catch (error) {
      // auth_key §4.1: a req_DH_params the server cannot decrypt or check is answered with the transport
      // error −404 (the connection stays open; the client starts a new exchange).
      if (!(error instanceof HandshakeError)) throw error;
      this.handshake.reset();
      this.host.count('transport_error_404');
      this.later(() => this.write(transportErrorPayload(-404)));
      return;
    }
    const { reply, authKey } = answer;
    if (authKey) {
      this.host.keys.register(this.host.dcId, authKey);
      this.host.world.adoptAuthKey(this.host.dcId, authKey); // the DC's world knows the keys it negotiated
    }
    const body = reply.getBytes();
    this.later(() =>
      this.write(Buffer.concat([Buffer.alloc(8), i64(this.msgIds.next(true)), i32(body.length), body])),
    );
  }

  private async onEncrypted(packet: Buffer): Promise<void> {
    const authKeyId = packet.subarray(0, 8).toString('hex');
    const key = this.host.keys.find(this.host.dcId, authKeyId);
    if (!key) {
      this.host.count('transport_error_404');
      this.later(() => this.write(transportErrorPayload(-404)));
      return;
    }
    if (this.key && this.key !== key) throw new MessageIntegrityError('a second auth key on one connection');
    let plain: Buffer;
    try {
      plain = decryptClientMessage(key.authKey, packet);
    } catch (error) {
      if (error instanceof MessageIntegrityError) return; // dropped, as Telegram does
      throw error;
    }
    if (!this.key) await this.bind(key);
    const salt = plain.subarray(0, 8);
    const sessionId = Buffer.from(plain.subarray(8, 16));
    const message: IncomingMessage = {
      msgId: plain.readBigInt64LE(16),
      seqNo: plain.readInt32LE(24),
      body: plain.subarray(32, 32 + plain.readInt32LE(28)),
    };
    const known = this.sessions.get(sessionId.toString('hex'));
    const session = known ?? newSession(sessionId);
    if (!this.accepts(session, message)) return;
    if (!salt.equals(key.salt)) {
      this.host.count('bad_server_salt');
      this.queue(session, badServerSalt(message.msgId, message.seqNo, key.salt), false, true);
      return;
    }
    if (!known) {
      this.sessions.set(sessionId.toString('hex'), session);
      this.host.count('new_session_created');
      this.queue(session, newSessionCreated(message.msgId, key.salt), true, false);
    }
    this.current = session;
    this.handle(session, message);
  }

  /** Waits briefly for an older connection with this key to finish closing, then opens the world's link. */
  private async bind(key: StoredAuthKey): Promise<void> {
    this.key = key;
    for (
      let waited = 0;
      waited < DUPLICATE_GRACE_MS && this.host.othersWithKey(this).length > 0;
      waited += 10
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (this.closedFlag) return;
    this.link = this.host.world.openLink(this.host.dcId, key.authKey, (bytes) => {
      if (this.current) this.queue(this.current, this.translated(bytes, 'Updates'), true, false);
    });
  }

  /** msg_id and seqno rules; a broken one is answered with bad_msg_notification (duplicates are ignored). */
  private accepts(session: SessionState, message: IncomingMessage): boolean {
    const code = badMsgCode(message, Date.now() / 1000);
    if (code !== 0) {
      this.host.count(`bad_msg_notification_${code}`);
      this.queue(session, badMsgNotification(message.msgId, message.seqNo, code), false, true);
      return false;
    }
    if (session.seen.has(message.msgId)) return false;
    session.seen.add(message.msgId);
    if (session.seen.size > SEEN_MSG_IDS) session.seen.delete(session.seen.values().next().value as bigint);
    return true;
  }

  private handle(session: SessionState, message: IncomingMessage): void {
    if (message.body.length < 4) return;
    switch (message.body.readUInt32LE(0)) {
      case TL.msgContainer:
        for (const inner of readContainer(message.body)) {
          if (this.accepts(session, inner)) this.handle(session, inner);
        }
        return;
      case TL.gzipPacked:
        this.handle(session, { ...message, body: unzipSync(readTlBytes(message.body, 4)) });
        return;
      case TL.msgsAck:
      case TL.httpWait:
        return;
      case TL.ping:
        this.queue(session, pong(message.msgId, message.body.readBigInt64LE(4)), true, true);
        return;
      case TL.pingDelayDisconnect:
        this.queue(session, pong(message.msgId, message.body.readBigInt64LE(4)), true, true);
        this.armPingDisconnect(message.body.readInt32LE(12));
        return;
      default:
        if (SERVICE_QUERIES.has(message.body.readUInt32LE(0))) return this.service(session, message);
        void this.rpc(session, message);
    }
  }

  /** get_future_salts, msgs_state_req, destroy_session, rpc_drop_answer: answered with their own constructors. */
  private service(session: SessionState, message: IncomingMessage): void {
    const answer = answerServiceQuery(message, {
      session,
      salt: this.key?.salt ?? Buffer.alloc(8),
      nowSeconds: Math.floor(Date.now() / 1000),
      destroySession: (id) =>
        this.sessions.get(i64(id).toString('hex')) !== session &&
        this.sessions.delete(i64(id).toString('hex')),
    });
    if (answer) this.queue(session, answer.body, answer.contentRelated, true);
  }

  /** ping_delay_disconnect: close the connection unless another ping arrives within `seconds`. */
  private armPingDisconnect(seconds: number): void {
    clearTimeout(this.pingDisconnect);
    this.pingDisconnect = setTimeout(() => this.socket.destroy(), seconds * 1000);
    this.pingDisconnect.unref();
  }

  private async rpc(session: SessionState, message: IncomingMessage): Promise<void> {
    const link = this.link;
    if (!link) return;
    const request = this.layer.inbound(Buffer.from(message.body));
    if (!request.ok) {
      this.queue(
        session,
        rpcResult(message.msgId, rpcError(request.errorCode, request.errorMessage)),
        true,
        true,
      );
      return;
    }
    let reply: EmulatorReply;
    session.running.add(message.msgId);
    try {
      reply = await link.call(request.body);
    } catch {
      reply = { ok: false, errorCode: 500, errorMessage: 'INTERNAL' };
    } finally {
      session.running.delete(message.msgId);
    }
    if (session.dropped.delete(message.msgId)) {
      // service_messages#cancellation: the dropped query itself is answered rpc_answer_dropped_running too.
      this.queue(session, rpcResult(message.msgId, u32(TL.rpcAnswerDroppedRunning)), true, true);
      return;
    }
    if (!reply.ok && 'transportError' in reply) {
      // The world forgot this key (forget-key): Telegram answers the transport error, not an rpc_error.
      const code = reply.transportError;
      this.host.count('transport_error_404');
      this.later(() => this.write(transportErrorPayload(code)));
      return;
    }
    const result = reply.ok
      ? this.translated(reply.body, request.resultType)
      : rpcError(reply.errorCode, reply.errorMessage);
    this.queue(session, rpcResult(message.msgId, result), true, true);
  }

  /** An answer or update in the connection's layer (an object that layer cannot express: an internal error). */
  private translated(body: Buffer, type: string | undefined): Buffer {
    try {
      return this.layer.outbound(body, type);
    } catch {
      this.host.count('layer_translation_failed');
      return rpcError(500, 'EMULATOR_LAYER_TRANSLATION');
    }
  }

  private queue(session: SessionState, body: Buffer, contentRelated: boolean, isResponse: boolean): void {
    this.later(() => {
      this.outbox.push({ session, body, contentRelated, isResponse });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs `send` now, or after the delay fault's N ms; never while stalled. */
  private later(send: () => void): void {
    if (this.delayMs > 0) setTimeout(send, this.delayMs);
    else send();
  }

  /** Everything queued in one turn leaves together: one message alone, several in a msg_container. */
  private flush(): void {
    this.flushScheduled = false;
    const pending = this.outbox.splice(0);
    const key = this.key;
    if (!key || this.closedFlag || this.stalled) return;
    const bySession = new Map<SessionState, OutgoingMessage[]>();
    for (const item of pending) {
      const list = bySession.get(item.session) ?? [];
      list.push({
        msgId: this.msgIds.next(item.isResponse),
        seqNo: this.seqNo(item.session, item.contentRelated),
        body: item.body,
      });
      bySession.set(item.session, list);
    }
    for (const [session, messages] of bySession) {
      const single = messages.length === 1 ? messages[0] : undefined;
      const outer = single ?? {
        msgId: this.msgIds.next(false),
        seqNo: this.seqNo(session, false),
        body: container(messages),
      };
      const plain = Buffer.concat([
        key.salt,
        session.id,
        i64(outer.msgId),
        i32(outer.seqNo),
        i32(outer.body.length),
        outer.body,
      ]);
      this.write(encryptServerMessage(key.authKey, plain));
    }
  }

  private seqNo(session: SessionState, contentRelated: boolean): number {
    if (!contentRelated) return session.seq * 2;
    return session.seq++ * 2 + 1;
  }

  private write(payload: Buffer): void {
    if (this.closedFlag || this.stalled || this.socket.destroyed) return;
    this.socket.write(this.transport.encode(payload));
  }

  private onClose(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    clearTimeout(this.pingDisconnect);
    this.link?.close();
    this.link = undefined;
    this.host.closed(this);
  }
}
