import type { FastifyRequest } from 'fastify';
import jsonwebtoken from 'jsonwebtoken';
import type { PinoLogger } from 'nestjs-pino';
import type { WebSocket } from 'ws';
import type { JwtVerifier } from '../../common/auth/jwt-verifier';
import type { FailedAuthLimiter } from '../../common/throttling/failed-auth-limiter';
import type { EventsConfig } from '../../config/app-config';
import type { EventMetrics } from '../hub/event-metrics';
import { toCloudEvent, type CloudEvent } from '../outbox/cloud-event';
import type { OutboxRepository } from '../outbox/outbox.repository';
import { parseClientMessage, ProtocolError, tokenFromProtocols, wants, WS_CLOSE } from './ws-protocol';

/** What a connection needs from the module (one object, built once by WsRegistry). */
export interface WsContext {
  config: EventsConfig;
  source: string;
  /** Client messages allowed per window (the REST API's per-user limit). */
  messageLimit: { limit: number; windowMs: number };
  verifier: JwtVerifier;
  failures: FailedAuthLimiter;
  outbox: OutboxRepository;
  metrics: EventMetrics;
  logger: PinoLogger;
  /** The user's REST rate-limit bucket, counted once per connection. */
  throttle(userId: number, ip: string): Promise<boolean>;
  admit(connection: WsConnection): boolean;
  release(connection: WsConnection): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long a resumed connection drops late live copies of the events it was replayed. */
const REPLAYED_TTL_MS = 60_000;

/**
 * One socket of /api/v1/ws: authentication (Sec-WebSocket-Protocol `bearer, <token>` or a first
 * `auth` message within WS_AUTH_TIMEOUT_MS; else 4401), closing at the token's expiry, the
 * subscription filter, resume from a last event id, keep-alive, a message budget and backpressure.
 */
export class WsConnection {
  userId?: number;
  patterns?: string[];
  private alive = true;
  private authTimer?: NodeJS.Timeout;
  private expiryTimer?: NodeJS.Timeout;
  private replay?: { held: CloudEvent[]; sent: Set<string> };
  /**
   * Ids replayed by the last resume. An event committed before the resume is in the replay, but its
   * live delivery to this replica can still be on its way (the outbox is read first, then pushed):
   * that late copy is dropped here, once. At most WS_MAX_REPLAY ids, kept for REPLAYED_TTL_MS.
   */
  private replayed = new Set<string>();
  private replayedTimer?: NodeJS.Timeout;
  /**
   * Ids pushed live since authentication, until the first `subscribe` (at most WS_MAX_REPLAY, for at
   * most REPLAYED_TTL_MS): a `subscribe` with `last_event_id` comes after authentication, so what was
   * pushed in between is with the client already and its replay skips it. Nothing is kept afterwards.
   */
  private liveBeforeSubscribe?: { ids: Set<string>; until: number };
  private window = { started: Date.now(), count: 0 };
  private closed = false;
  private authenticating = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly request: FastifyRequest,
    private readonly ctx: WsContext,
  ) {}

  start(): void {
    this.socket.on(
      'message',
      (data, isBinary) => void this.onMessage(isBinary ? null : data.toString('utf8')),
    );
    this.socket.on('pong', () => (this.alive = true));
    this.socket.on('close', () => this.cleanup());
    this.socket.on('error', () => this.cleanup());
    const offered = tokenFromProtocols(this.request.headers['sec-websocket-protocol']);
    if (offered !== undefined) {
      void this.authenticate(offered);
      return;
    }
    this.authTimer = setTimeout(
      () => this.close(WS_CLOSE.unauthorized, 'Authentication timed out'),
      this.ctx.config.ws.authTimeoutMs,
    );
  }

  /** An event delivered to this replica: pushed when it is this user's and passes the filter. */
  push(event: CloudEvent): void {
    if (this.closed || event.userid !== this.userId || !wants(this.patterns, event.type)) return;
    if (this.replayed.delete(event.id)) return;
    if (this.replay) {
      this.replay.held.push(event);
      return;
    }
    this.sendLive(event);
  }

  /** Keep-alive tick: a socket that did not answer the previous ping is dropped. */
  heartbeat(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.drop('ping_timeout');
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason);
    this.cleanup();
  }

  private async onMessage(text: string | null): Promise<void> {
    if (this.closed) return;
    if (!this.withinBudget()) return;
    let message;
    try {
      if (text === null) throw new ProtocolError('bad_message', 'Only text frames are accepted');
      message = parseClientMessage(text);
    } catch (error) {
      if (this.userId === undefined) return this.close(WS_CLOSE.unauthorized, 'Authenticate first');
      const e = error as ProtocolError;
      return void this.send({ type: 'error', code: e.code, message: e.message });
    }
    if (this.userId === undefined) {
      if (this.authenticating) return; // a second auth while the first is checked: ignored
      if (message.type !== 'auth') return this.close(WS_CLOSE.unauthorized, 'Authenticate first');
      return this.authenticate(message.token, message.last_event_id);
    }
    if (message.type === 'ping') return void this.send({ type: 'pong' });
    if (message.type === 'auth') {
      return void this.send({
        type: 'error',
        code: 'already_authenticated',
        message: 'Already authenticated',
      });
    }
    this.patterns = message.types.length > 0 ? message.types : undefined;
    this.send({ type: 'subscribed', types: this.patterns ?? ['*'] });
    const pushed = this.liveBeforeSubscribe?.ids;
    this.liveBeforeSubscribe = undefined;
    if (message.last_event_id) await this.resume(message.last_event_id, pushed);
  }

  private async authenticate(token: string, lastEventId?: string): Promise<void> {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authenticating = true;
    let userId: number;
    try {
      userId = await this.ctx.verifier.verify(token);
    } catch {
      this.authenticating = false;
      await this.ctx.failures.count(this.request).catch(() => undefined);
      return this.close(WS_CLOSE.unauthorized, 'Invalid or expired token');
    }
    const allowed = await this.ctx.throttle(userId, this.request.ip);
    this.authenticating = false;
    if (this.closed) return;
    if (!allowed) {
      this.ctx.metrics.dropped.inc({ reason: 'rate_limited' });
      return this.close(WS_CLOSE.tooMany, 'Rate limit exceeded');
    }
    this.userId = userId;
    if (!this.ctx.admit(this)) {
      this.userId = undefined;
      return this.close(WS_CLOSE.tooMany, 'Too many connections for this user');
    }
    this.liveBeforeSubscribe = { ids: new Set(), until: Date.now() + REPLAYED_TTL_MS };
    const exp = (jsonwebtoken.decode(token) as { exp?: number } | null)?.exp;
    if (typeof exp === 'number') this.closeAt(exp * 1000);
    this.send({
      type: 'authenticated',
      user_id: userId,
      ...(typeof exp === 'number' ? { expires_at: new Date(exp * 1000).toISOString() } : {}),
    });
    if (lastEventId) await this.resume(lastEventId);
  }

  private closeAt(at: number): void {
    const delay = at - Date.now();
    this.expiryTimer = setTimeout(
      () => (Date.now() >= at ? this.close(WS_CLOSE.unauthorized, 'Token expired') : this.closeAt(at)),
      Math.max(0, Math.min(delay, MAX_TIMER_MS)),
    );
  }

  /** Replays what the client missed after `lastEventId`; live events arriving meanwhile are held, then sent once. */
  private async resume(lastEventId: string, pushed?: ReadonlySet<string>): Promise<void> {
    const userId = this.userId as number;
    this.replay = { held: [], sent: new Set() };
    try {
      const rows = await this.ctx.outbox.after(userId, lastEventId, this.ctx.config.ws.maxReplay);
      if (rows === null) {
        this.send({
          type: 'resume_failed',
          code: 'unknown_event',
          message: 'That event is not in the outbox (any more); reload the state',
        });
      } else {
        for (const row of rows) {
          const event = toCloudEvent(row, this.ctx.source);
          if (!wants(this.patterns, event.type) || pushed?.has(event.id)) continue;
          this.replay.sent.add(event.id);
          this.sendEvent(event);
        }
        this.send({
          type: 'resumed',
          replayed: this.replay.sent.size,
          complete: rows.length < this.ctx.config.ws.maxReplay,
        });
      }
    } catch {
      this.send({
        type: 'resume_failed',
        code: 'unavailable',
        message: 'The event history cannot be read now',
      });
    } finally {
      const replay = this.replay;
      this.replay = undefined;
      for (const event of replay.held) {
        if (!replay.sent.delete(event.id)) this.sendLive(event);
      }
      this.replayed = replay.sent;
      if (this.replayedTimer) clearTimeout(this.replayedTimer);
      this.replayedTimer = setTimeout(() => this.replayed.clear(), REPLAYED_TTL_MS);
      this.replayedTimer.unref();
    }
  }

  private sendEvent(event: CloudEvent): boolean {
    if (!this.send({ type: 'event', event })) return false;
    this.ctx.metrics.pushed.inc({ type: event.type });
    return true;
  }

  /** A live event (not a replayed one), noted while a resuming `subscribe` may still come. */
  private sendLive(event: CloudEvent): void {
    if (!this.sendEvent(event) || !this.liveBeforeSubscribe) return;
    const { ids, until } = this.liveBeforeSubscribe;
    if (Date.now() > until || ids.size >= this.ctx.config.ws.maxReplay) this.liveBeforeSubscribe = undefined;
    else ids.add(event.id);
  }

  private send(message: Record<string, unknown>): boolean {
    if (this.closed) return false;
    if (this.socket.bufferedAmount > this.ctx.config.ws.maxBufferedBytes) {
      this.drop('backpressure');
      return false;
    }
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private withinBudget(): boolean {
    const now = Date.now();
    const { limit, windowMs } = this.ctx.messageLimit;
    if (now - this.window.started >= windowMs) this.window = { started: now, count: 0 };
    this.window.count += 1;
    if (this.window.count <= limit) return true;
    this.ctx.metrics.dropped.inc({ reason: 'rate_limited' });
    this.close(WS_CLOSE.tooMany, 'Too many messages');
    return false;
  }

  /** A client that cannot keep up (or stopped answering) is cut off, not buffered for. */
  private drop(reason: 'backpressure' | 'ping_timeout'): void {
    this.ctx.metrics.dropped.inc({ reason });
    this.ctx.logger.info({ user_id: this.userId, reason }, 'WebSocket client dropped');
    this.socket.terminate();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.authTimer) clearTimeout(this.authTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.replayedTimer) clearTimeout(this.replayedTimer);
    if (this.userId !== undefined) this.ctx.release(this);
  }
}
