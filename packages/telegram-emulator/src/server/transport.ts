import { crc32 } from 'node:zlib';
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  type Cipheriv as Cipher,
  type Decipheriv as Decipher,
} from 'node:crypto';

/** The MTProto transports GramJS's ConnectionTCP* classes speak (https://core.telegram.org/mtproto/mtproto-transports). */
export type TransportKind = 'abridged' | 'intermediate' | 'padded-intermediate' | 'full';

export class TransportError extends Error {}

const MAX_PACKET = 16 * 1024 * 1024;
const INTERMEDIATE_TAG = 0xeeeeeeee;
const PADDED_TAG = 0xdddddddd;
const ABRIDGED_TAG = 0xefefefef;

/**
 * The server side of one TCP connection's framing: the transport is recognised from the first bytes the
 * client sends (0xef abridged, 0xeeeeeeee intermediate, 0xdddddddd padded intermediate, else full), then
 * packets are cut out of the byte stream and answers framed the same way.
 */
export class ServerTransport {
  kind?: TransportKind;
  private buffer: Buffer = Buffer.alloc(0);
  private receiveSeq = 0;
  private sendSeq = 0;
  /** Obfuscation (mtproto-transports#transport-obfuscation): AES-256-CTR both ways after a 64-byte header. */
  obfuscated = false;
  private decipher?: Decipher;
  private cipher?: Cipher;

  /** Feeds received bytes; returns the complete packets (payloads) now available. */
  push(received: Buffer): Buffer[] {
    const chunk = this.decipher ? this.decipher.update(received) : received;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.kind && !this.detect()) return [];
    const packets: Buffer[] = [];
    for (;;) {
      const packet = this.next();
      if (!packet) return packets;
      packets.push(packet);
    }
  }

  encode(payload: Buffer): Buffer {
    const framed = this.frame(payload);
    return this.cipher ? this.cipher.update(framed) : framed;
  }

  private frame(payload: Buffer): Buffer {
    switch (this.kind) {
      case 'abridged': {
        const words = payload.length >> 2;
        const header =
          words < 127
            ? Buffer.from([words])
            : Buffer.from([0x7f, words & 0xff, (words >> 8) & 0xff, (words >> 16) & 0xff]);
        return Buffer.concat([header, payload]);
      }
      case 'intermediate':
      case 'padded-intermediate': {
        const padding =
          this.kind === 'padded-intermediate' ? randomBytes(randomBytes(1)[0] % 16) : Buffer.alloc(0);
        const header = Buffer.alloc(4);
        header.writeUInt32LE(payload.length + padding.length, 0);
        return Buffer.concat([header, payload, padding]);
      }
      case 'full': {
        const head = Buffer.alloc(8);
        head.writeInt32LE(payload.length + 12, 0);
        head.writeInt32LE(this.sendSeq++, 4);
        const body = Buffer.concat([head, payload]);
        const crc = Buffer.alloc(4);
        crc.writeUInt32LE(crc32(body), 0);
        return Buffer.concat([body, crc]);
      }
      default:
        throw new TransportError('no transport recognised yet');
    }
  }

  private detect(): boolean {
    if (this.buffer.length < 1) return false;
    if (this.buffer[0] === 0xef) {
      this.kind = 'abridged';
      this.buffer = this.buffer.subarray(1);
      return true;
    }
    if (this.buffer.length < 4) return false;
    const tag = this.buffer.readUInt32LE(0);
    if (tag === INTERMEDIATE_TAG || tag === PADDED_TAG) {
      this.kind = tag === INTERMEDIATE_TAG ? 'intermediate' : 'padded-intermediate';
      this.buffer = this.buffer.subarray(4);
      return true;
    }
    if (this.buffer.length < 8) return false;
    // Full transport starts with its length and sequence number 0; an obfuscated header never has 0 there.
    const length = this.buffer.readInt32LE(0);
    const seq = this.buffer.readInt32LE(4);
    if (seq > 0 && seq < 0x10000 && length >= 12 && length <= MAX_PACKET) {
      throw new TransportError('full-transport sequence number out of order'); // not a random header
    }
    if (seq !== 0) return this.detectObfuscated();
    if (length < 12 || length > MAX_PACKET) throw new TransportError('unsupported transport');
    this.kind = 'full';
    return true;
  }

  /**
   * The 64-byte obfuscation header: bytes 8–40 and 40–56 are the client's AES-256-CTR key and IV, the same
   * 48 bytes reversed the server's; decrypted, bytes 56–60 name the transport inside (MTProxy secrets: none).
   */
  private detectObfuscated(): boolean {
    if (this.buffer.length < 64) return false;
    const header = this.buffer.subarray(0, 64);
    const reversed = Buffer.from(header.subarray(8, 56)).reverse();
    const decipher = createDecipheriv('aes-256-ctr', header.subarray(8, 40), header.subarray(40, 56));
    const tag = decipher.update(header).readUInt32LE(56);
    if (tag === ABRIDGED_TAG) this.kind = 'abridged';
    else if (tag === INTERMEDIATE_TAG) this.kind = 'intermediate';
    else if (tag === PADDED_TAG) this.kind = 'padded-intermediate';
    else throw new TransportError('unsupported transport (neither plain nor an obfuscated header)');
    this.obfuscated = true;
    this.decipher = decipher;
    this.cipher = createCipheriv('aes-256-ctr', reversed.subarray(0, 32), reversed.subarray(32, 48));
    this.buffer = decipher.update(this.buffer.subarray(64));
    return true;
  }

  private next(): Buffer | undefined {
    switch (this.kind) {
      case 'abridged': {
        if (this.buffer.length < 1) return undefined;
        let words = this.buffer[0];
        let headerLength = 1;
        if (words >= 0x7f) {
          if (this.buffer.length < 4) return undefined;
          words = this.buffer.readUIntLE(1, 3);
          headerLength = 4;
        }
        return this.take(headerLength, words * 4);
      }
      case 'intermediate':
      case 'padded-intermediate': {
        if (this.buffer.length < 4) return undefined;
        const length = this.buffer.readUInt32LE(0);
        const packet = this.take(4, length);
        return packet && this.kind === 'padded-intermediate' ? withoutPadding(packet) : packet;
      }
      case 'full': {
        if (this.buffer.length < 4) return undefined;
        const length = this.buffer.readInt32LE(0);
        if (length < 12 || length > MAX_PACKET)
          throw new TransportError(`bad full-transport length ${length}`);
        if (this.buffer.length < length) return undefined;
        const frame = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (frame.readInt32LE(4) !== this.receiveSeq++)
          throw new TransportError('full-transport sequence number out of order');
        if (crc32(frame.subarray(0, length - 4)) !== frame.readUInt32LE(length - 4)) {
          throw new TransportError('full-transport CRC32 mismatch');
        }
        return Buffer.from(frame.subarray(8, length - 4));
      }
      default:
        return undefined;
    }
  }

  private take(headerLength: number, length: number): Buffer | undefined {
    if (length > MAX_PACKET) throw new TransportError(`packet of ${length} bytes refused`);
    if (this.buffer.length < headerLength + length) return undefined;
    const packet = Buffer.from(this.buffer.subarray(headerLength, headerLength + length));
    this.buffer = this.buffer.subarray(headerLength + length);
    return packet;
  }
}

/** Padded intermediate appends 0–15 random bytes; the MTProto packet's own layout says where it ends. */
function withoutPadding(packet: Buffer): Buffer {
  if (packet.length < 24) return packet;
  const plain = packet.readBigUInt64LE(0) === 0n;
  const length = plain ? 20 + packet.readInt32LE(16) : 24 + Math.floor((packet.length - 24) / 16) * 16;
  return packet.subarray(0, Math.min(length, packet.length));
}

/** A transport error code as its 4-byte payload (e.g. −404: auth key not found). */
export function transportErrorPayload(code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeInt32LE(code, 0);
  return payload;
}
