import { randomBytes } from 'node:crypto';
import 'telegram'; // GramJS's modules must load in its own order before the codecs
import { AbridgedPacketCodec } from 'telegram/network/connection/TCPAbridged';
import { FullPacketCodec } from 'telegram/network/connection/TCPFull';
import { ServerTransport, TransportError } from './transport';

const payload = (n: number): Buffer => randomBytes(n);

/** Feeds bytes one at a time: packets must come out whole however TCP splits them. */
function feedByteByByte(transport: ServerTransport, bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (const byte of bytes) out.push(...transport.push(Buffer.from([byte])));
  return out;
}

describe('emulator server transports (what GramJS’s ConnectionTCP* codecs send)', () => {
  it('full: reads GramJS’s FullPacketCodec packets (length, seq, CRC32) and frames answers it can read', () => {
    const codec = new FullPacketCodec(undefined as never);
    const a = payload(40);
    const b = payload(1200);
    const server = new ServerTransport();
    expect(feedByteByByte(server, Buffer.concat([codec.encodePacket(a), codec.encodePacket(b)]))).toEqual([
      a,
      b,
    ]);
    expect(server.kind).toBe('full');
    const answer = server.encode(a);
    expect(answer.readInt32LE(0)).toBe(a.length + 12);
    expect(answer.readInt32LE(4)).toBe(0);
  });

  it('full: a bad CRC32 or an out-of-order sequence number is refused', () => {
    const codec = new FullPacketCodec(undefined as never);
    const packet = codec.encodePacket(payload(16));
    packet[10] ^= 0xff;
    expect(() => new ServerTransport().push(packet)).toThrow(TransportError);
    const again = new FullPacketCodec(undefined as never);
    again.encodePacket(payload(16)); // seq 0 never sent
    expect(() => new ServerTransport().push(again.encodePacket(payload(16)))).toThrow(TransportError);
  });

  it('abridged: 0xef, then one-byte or 0x7f + three-byte lengths in words', () => {
    const codec = new AbridgedPacketCodec(undefined as never);
    const small = payload(64);
    const large = payload(127 * 4 + 8);
    const server = new ServerTransport();
    const stream = Buffer.concat([Buffer.from([0xef]), codec.encodePacket(small), codec.encodePacket(large)]);
    expect(feedByteByByte(server, stream)).toEqual([small, large]);
    expect(server.kind).toBe('abridged');
    expect(server.encode(large).subarray(0, 4)).toEqual(Buffer.from([0x7f, 129, 0, 0]));
  });

  it('intermediate and padded intermediate: a 4-byte length; the padding is cut off', () => {
    const body = payload(24 + 32);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(body.length, 0);
    const inter = new ServerTransport();
    expect(inter.push(Buffer.concat([Buffer.alloc(4, 0xee), header, body]))).toEqual([body]);
    expect(inter.kind).toBe('intermediate');

    const padded = new ServerTransport();
    const withPadding = Buffer.concat([body, payload(7)]);
    const paddedHeader = Buffer.alloc(4);
    paddedHeader.writeUInt32LE(withPadding.length, 0);
    expect(padded.push(Buffer.concat([Buffer.alloc(4, 0xdd), paddedHeader, withPadding]))).toEqual([body]);
    expect(padded.encode(body).readUInt32LE(0)).toBeGreaterThanOrEqual(body.length);
  });

  it('refuses a start that is neither a plain transport nor an obfuscated header naming one', () => {
    const start = payload(64);
    start[0] = 0x11;
    start.writeInt32LE(7, 4);
    expect(() => new ServerTransport().push(start)).toThrow(TransportError);
  });
});
