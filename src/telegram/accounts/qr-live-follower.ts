import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { WsRegistry } from '../../events/ws/ws-registry';
import { AccountsRepository } from './accounts.repository';
import { QrLoginService } from './qr-login.service';

/** How often a QR login is asked again while one of its user's sockets listens. */
export const QR_FOLLOW_INTERVAL_MS = 1000;

/**
 * Follows QR logins for the frontend: while a user has a WebSocket here subscribed to
 * `telegram.qr_login.*`, each of their waiting QR logins is polled (auth.ExportLoginToken, the same
 * step as GET /qr-code/{id}) about every second, so scanned / 2fa_required / succeeded /
 * token_renewed / expired become events within a second of Telegram knowing — no client polling.
 * Only the replica holding the socket polls; the gateway serialises calls per session.
 */
@Injectable()
export class QrLiveFollower implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly sockets: WsRegistry,
    private readonly accounts: AccountsRepository,
    private readonly qr: QrLoginService,
    @InjectPinoLogger(QrLiveFollower.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), QR_FOLLOW_INTERVAL_MS);
    this.timer.unref();
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const userId of this.sockets.listeners('telegram.qr_login.scanned')) {
        const waiting = (await this.accounts.listForUser(userId, false)).filter(
          (row) => row.status === 'qr_pending',
        );
        for (const row of waiting) {
          // An error (expired, Telegram away) is already recorded by poll as its own step and event.
          await this.qr.poll(userId, row.id).catch(() => undefined);
        }
      }
    } catch (error) {
      this.logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'QR follow round failed',
      );
    } finally {
      this.running = false;
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
