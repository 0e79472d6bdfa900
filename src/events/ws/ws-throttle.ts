import { Injectable } from '@nestjs/common';
import { ApiBucketCounter } from '../../common/throttling/api-bucket-counter';

/**
 * Counts each authenticated WebSocket connection as one API request in its user's REST bucket
 * (ApiBucketCounter), so opening sockets is limited like calling the API. Storage trouble fails
 * open, as the REST guard does.
 */
@Injectable()
export class WsThrottle {
  constructor(private readonly bucket: ApiBucketCounter) {}

  /** False when the user's API bucket is full (the socket is then closed with 4429). */
  async allow(userId: number, ip: string): Promise<boolean> {
    try {
      return !(await this.bucket.hit({ user: { id: userId }, ip }))?.isBlocked;
    } catch {
      return true;
    }
  }
}
