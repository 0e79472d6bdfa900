import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';

const QR_CACHE_SIZE = 256;

/**
 * The QR code of `tg://login?token=<base64url>`, as base64 PNG. A token lives ~30 s and is polled
 * every few seconds, so its image is kept in a small in-process cache (oldest out first).
 */
@Injectable()
export class QrRenderer {
  private readonly cache = new Map<string, Promise<string>>();
  private readonly capacity = QR_CACHE_SIZE;

  png(token: Buffer): Promise<string> {
    const key = token.toString('base64url');
    let png = this.cache.get(key);
    if (!png) {
      png = QRCode.toBuffer(`tg://login?token=${key}`, {
        type: 'png',
        errorCorrectionLevel: 'M',
        margin: 2,
        width: 256,
      }).then((buffer) => buffer.toString('base64'));
      png.catch(() => this.cache.delete(key));
      this.cache.set(key, png);
      if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
    }
    return png;
  }

  /** Images cached now (for tests). */
  get size(): number {
    return this.cache.size;
  }
}
