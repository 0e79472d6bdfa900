import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Api } from 'telegram';
import { TelegramEmulator } from '../emulator';
import { toLong } from '../tl-codec';
import { TelegramEmulatorServer } from './emulator-server';
import { answerServiceQuery, type SessionView } from './service-queries';
import { badMsgCode, TL } from './server-messages';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};
const i64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n, 0);
  return b;
};
const nowMsgId = (): bigint => BigInt(Math.floor(Date.now() / 1000)) << 32n;
const salt = Buffer.from('0102030405060708', 'hex');

function ask(body: Buffer, session: SessionView, destroy = false): Buffer | undefined {
  return answerServiceQuery(
    { msgId: nowMsgId(), seqNo: 1, body },
    { session, salt, nowSeconds: Math.floor(Date.now() / 1000), destroySession: () => destroy },
  )?.body;
}

describe('service messages answered with their documented constructors (mtproto/service_messages)', () => {
  const idle: SessionView = { seen: new Set(), running: new Set(), dropped: new Set() };

  it('get_future_salts → future_salts with num salts (a bare vector of future_salt)', () => {
    const body = ask(Buffer.concat([u32(TL.getFutureSalts), u32(3)]), idle);
    expect(body?.readUInt32LE(0)).toBe(TL.futureSalts);
    expect(body?.readUInt32LE(16)).toBe(3);
    expect(body?.subarray(28, 36)).toEqual(salt); // first future_salt: valid_since, valid_until, salt
  });

  it('msgs_state_req → msgs_state_info, one byte per msg_id', () => {
    const seen = nowMsgId() + 4n;
    const old = nowMsgId() - (1000n << 32n);
    const session: SessionView = { seen: new Set([seen]), running: new Set(), dropped: new Set() };
    const body = ask(
      Buffer.concat([u32(TL.msgsStateReq), u32(0x1cb5c415), u32(2), i64(seen), i64(old)]),
      session,
    );
    expect(body?.readUInt32LE(0)).toBe(TL.msgsStateInfo);
    expect(body?.[12]).toBe(2); // TL bytes of length 2
    expect([body?.[13], body?.[14]]).toEqual([4 | 64, 2]);
  });

  it('destroy_session → destroy_session_ok / destroy_session_none', () => {
    const request = Buffer.concat([u32(TL.destroySession), i64(42n)]);
    expect(ask(request, idle, true)?.readUInt32LE(0)).toBe(TL.destroySessionOk);
    expect(ask(request, idle, false)?.readUInt32LE(0)).toBe(TL.destroySessionNone);
  });

  it('rpc_drop_answer → rpc_result with rpc_answer_unknown / rpc_answer_dropped_running', () => {
    const request = Buffer.concat([u32(TL.rpcDropAnswer), i64(8n)]);
    const unknown = ask(request, idle);
    expect(unknown?.readUInt32LE(0)).toBe(TL.rpcResult);
    expect(unknown?.readUInt32LE(12)).toBe(TL.rpcAnswerUnknown);
    const running = ask(request, { seen: new Set(), running: new Set([8n]), dropped: new Set() });
    expect(running?.readUInt32LE(12)).toBe(TL.rpcAnswerDroppedRunning);
  });

  it('bad_msg_notification: 35 for an even seqno on a content-related message; an odd-seqno ack is tolerated', () => {
    const ping = Buffer.concat([u32(TL.ping), i64(1n)]);
    const ack = Buffer.concat([u32(TL.msgsAck), u32(0x1cb5c415), u32(0)]);
    const now = Date.now() / 1000;
    expect(badMsgCode({ msgId: nowMsgId(), seqNo: 2, body: ping }, now)).toBe(35);
    expect(badMsgCode({ msgId: nowMsgId(), seqNo: 3, body: ping }, now)).toBe(0);
    expect(badMsgCode({ msgId: nowMsgId(), seqNo: 3, body: ack }, now)).toBe(0);
    expect(badMsgCode({ msgId: nowMsgId() + 1n, seqNo: 3, body: ping }, now)).toBe(18);
  });
});

describe('auth-key exchange: legacy RSA and the −404 transport error (mtproto/auth_key §4.1)', () => {
  it('decrypts p_q_inner_data encrypted the pre-2021 way: RSA(sha1(data) + data + padding)', () => {
    const server = new TelegramEmulatorServer(new TelegramEmulator());
    const data = new Api.PQInnerDataDc({
      pq: Buffer.from([1, 2, 3]),
      p: Buffer.from([1]),
      q: Buffer.from([3]),
      nonce: toLong(1n) as never,
      serverNonce: toLong(2n) as never,
      newNonce: toLong(3n) as never,
      dc: 2,
    }).getBytes();
    const plain = Buffer.concat([
      createHash('sha1').update(data).digest(),
      data,
      randomBytes(235 - data.length),
    ]);
    const n = BigInt(`0x${server.rsa.n.toString('hex')}`);
    let result = 1n;
    let base = BigInt(`0x${plain.toString('hex')}`) % n;
    for (let e = BigInt(server.rsa.e); e > 0n; e >>= 1n, base = (base * base) % n) {
      if (e & 1n) result = (result * base) % n;
    }
    const encrypted = Buffer.from(result.toString(16).padStart(512, '0'), 'hex');
    const lengthOf = (bytes: Buffer): number => (bytes.indexOf(data) === 0 ? data.length : 0);
    expect(server.rsa.decryptLegacy(encrypted, lengthOf)).toEqual(data);
    expect(server.rsa.decryptPad(encrypted)).toBeUndefined();
    encrypted[200] ^= 1;
    expect(server.rsa.decryptLegacy(encrypted, lengthOf)).toBeUndefined();
  });

  it('a req_DH_params the server cannot use is answered −404, and the connection stays open', async () => {
    const server = new TelegramEmulatorServer(new TelegramEmulator());
    const [dc1] = await server.start();
    try {
      const request = new Api.ReqDHParams({
        nonce: toLong(1n) as never,
        serverNonce: toLong(2n) as never,
        p: Buffer.from([1]),
        q: Buffer.from([3]),
        publicKeyFingerprint: toLong(5n),
        encryptedData: randomBytes(256),
      }).getBytes();
      const plain = Buffer.concat([Buffer.alloc(8), i64(nowMsgId()), u32(request.length), request]);
      const socket = connect(dc1.port, dc1.host);
      const answer = await new Promise<Buffer>((resolve, reject) => {
        socket.once('data', resolve);
        socket.once('error', reject);
        socket.write(Buffer.concat([u32(0xeeeeeeee), u32(plain.length), plain]));
      });
      expect(answer.readUInt32LE(0)).toBe(4);
      expect(answer.readInt32LE(4)).toBe(-404);
      expect(socket.destroyed).toBe(false);
      socket.destroy();
    } finally {
      await server.stop();
    }
  });
});
