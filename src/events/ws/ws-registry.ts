import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { WebSocket } from 'ws';
import { JwtVerifier } from '../../common/auth/jwt-verifier';
import { FailedAuthLimiter } from '../../common/throttling/failed-auth-limiter';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { EventHub } from '../hub/event-hub';
import { EventMetrics } from '../hub/event-metrics';
import { OutboxRepository } from '../outbox/outbox.repository';
import { WsConnection, type WsContext } from './ws-connection';
import { WsThrottle } from './ws-throttle';
import { wants } from './ws-protocol';

/**
 * This replica's WebSocket clients by user: admits a socket within WS_MAX_CONNECTIONS_PER_USER,
 * pushes each delivered event to its user's sockets, pings them all, and tells which users listen
 * for a type (the live QR follower asks).
 */
@Injectable()
export class WsRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly byUser = new Map<number, Set<WsConnection>>();
  private readonly context: WsContext;
  private pinger?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly hub: EventHub,
    private readonly metrics: EventMetrics,
    verifier: JwtVerifier,
    failures: FailedAuthLimiter,
    outbox: OutboxRepository,
    throttle: WsThrottle,
    @InjectPinoLogger('WsConnection') logger: PinoLogger,
  ) {
    this.context = {
      config: config.events,
      source: config.events.source,
      messageLimit: { limit: config.rateLimit.apiLimit, windowMs: config.rateLimit.apiWindowSeconds * 1000 },
      verifier,
      failures,
      outbox,
      metrics,
      logger,
      throttle: (userId, ip) => throttle.allow(userId, ip),
      admit: (connection) => this.admit(connection, config.events.ws.maxConnectionsPerUser),
      release: (connection) => this.release(connection),
    };
    this.pingInterval = config.events.ws.pingIntervalMs;
  }

  private readonly pingInterval: number;

  onModuleInit(): void {
    this.unsubscribe = this.hub.subscribe((event) => {
      const sockets = this.byUser.get(event.userid);
      if (sockets) for (const socket of sockets) socket.push(event);
    });
    this.pinger = setInterval(() => {
      for (const sockets of this.byUser.values()) for (const socket of sockets) socket.heartbeat();
    }, this.pingInterval);
    this.pinger.unref();
  }

  /** A new socket on /api/v1/ws. */
  accept(socket: WebSocket, request: FastifyRequest): void {
    new WsConnection(socket, request, this.context).start();
  }

  /** Users with at least one socket here whose filter takes `type`. */
  listeners(type: string): number[] {
    const users: number[] = [];
    for (const [userId, sockets] of this.byUser) {
      if ([...sockets].some((s) => wants(s.patterns, type))) users.push(userId);
    }
    return users;
  }

  private admit(connection: WsConnection, cap: number): boolean {
    const userId = connection.userId as number;
    const sockets = this.byUser.get(userId) ?? new Set<WsConnection>();
    if (sockets.size >= cap) return false;
    sockets.add(connection);
    this.byUser.set(userId, sockets);
    this.metrics.connections.inc();
    return true;
  }

  private release(connection: WsConnection): void {
    const sockets = this.byUser.get(connection.userId as number);
    if (!sockets?.delete(connection)) return;
    this.metrics.connections.dec();
    if (sockets.size === 0) this.byUser.delete(connection.userId as number);
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    if (this.pinger) clearInterval(this.pinger);
    for (const sockets of [...this.byUser.values()]) {
      for (const socket of [...sockets]) socket.close(1001, 'The service is shutting down');
    }
  }
}
