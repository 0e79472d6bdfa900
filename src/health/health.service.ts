import { Inject, Injectable, OnModuleInit, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { HealthComponent, HealthRegistry } from './health-registry';
import { REDIS_PROBE, tcpProbe } from './tcp-probe';
import { withTimeout } from '../common/util/with-timeout';
import { PeerCertificates } from '../tls/tls-certificates';

/** `not_configured`: a development stand-in works in its place (see HealthComponent.notConfigured). */
export type ComponentStatus = 'healthy' | 'unhealthy' | 'not_configured';

export interface ComponentReport {
  status: ComponentStatus;
  type: string;
  latency_ms: number;
  critical: boolean;
  error?: string;
  [fact: string]: unknown;
}

@Injectable()
export class HealthService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: HealthRegistry,
    private readonly dataSource: DataSource,
    private readonly terminus: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly peers: PeerCertificates,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      key: 'database',
      type: 'PostgreSQL',
      critical: true,
      probe: async () => {
        await this.dataSource.query('SELECT 1');
        return {};
      },
    });
    const timeout = this.config.health.checkTimeoutMs;
    if (this.config.redisUrl) {
      const url = this.config.redisUrl;
      this.registry.register({
        key: 'redis',
        type: 'Redis',
        critical: false,
        probe: () =>
          tcpProbe(url, REDIS_PROBE, timeout, { settings: this.config.tls.redis, peers: this.peers }).then(
            () => (this.config.tls.redis.enabled ? { tls: true } : {}),
          ),
      });
    }
    // RabbitMQ (the live connection) and the outbox backlog: registered by EventsModule's OutboxMonitor.
  }

  private draining = false;

  /**
   * From now on readiness answers 503 (`shutdown: down`) while everything else keeps serving, so a
   * load balancer stops sending new requests before the server stops accepting them (SIGTERM).
   */
  startDraining(): void {
    this.draining = true;
  }

  /** Terminus readiness: every critical component must answer within the timeout. */
  async readiness(): Promise<{ ready: boolean; body: HealthCheckResult }> {
    if (this.draining) {
      const down = { shutdown: { status: 'down' as const, message: 'The process is shutting down' } };
      return { ready: false, body: { status: 'error', info: {}, error: down, details: down } };
    }
    try {
      return { ready: true, body: await this.terminusCheck() };
    } catch (error) {
      // Terminus reports "not ready" by throwing ServiceUnavailableException carrying its result.
      if (error instanceof ServiceUnavailableException) {
        return { ready: false, body: error.getResponse() as HealthCheckResult };
      }
      throw error;
    }
  }

  private terminusCheck(): Promise<HealthCheckResult> {
    const checks = this.registry
      .all()
      .filter((c) => c.critical)
      .map((component) => async () => {
        const report = await this.probe(component);
        const session = this.indicator.check(component.key);
        return !down(report)
          ? session.up({ latency_ms: report.latency_ms })
          : session.down({ message: report.error ?? 'unavailable' });
      });
    return this.terminus.check(checks);
  }

  /** Every registered component probed now (each bounded by HEALTH_CHECK_TIMEOUT_MS), by key. */
  async reports(): Promise<Record<string, ComponentReport>> {
    return Object.fromEntries(await this.probeAll());
  }

  private probeAll(): Promise<(readonly [string, ComponentReport])[]> {
    return Promise.all(this.registry.all().map(async (c) => [c.key, await this.probe(c)] as const));
  }

  async detailed(): Promise<{ healthy: boolean; body: Record<string, unknown> }> {
    const reports = await this.probeAll();
    const components = Object.fromEntries(reports);
    const criticalDown = reports.some(([, r]) => r.critical && down(r));
    const anyDown = reports.some(([, r]) => down(r));
    return {
      healthy: !criticalDown,
      body: {
        status: criticalDown ? 'unhealthy' : anyDown ? 'degraded' : 'healthy',
        service: 'integration-service',
        timestamp: new Date().toISOString(),
        version: this.config.version,
        uptime_seconds: Math.round(process.uptime()),
        components,
      },
    };
  }

  private async probe(component: HealthComponent): Promise<ComponentReport> {
    const started = performance.now();
    const base = { type: component.type, critical: component.critical };
    try {
      const ms = this.config.health.checkTimeoutMs;
      const facts = await withTimeout(
        component.probe(),
        ms,
        () => new Error(`${component.key} check timed out after ${ms} ms`),
      );
      const status = component.notConfigured ? 'not_configured' : 'healthy';
      return { status, ...base, latency_ms: elapsed(started), ...facts };
    } catch (error) {
      return { status: 'unhealthy', ...base, latency_ms: elapsed(started), error: safeMessage(error) };
    }
  }
}

/**
 * Any status but healthy and not_configured is a problem: a component may report one of its own,
 * such as the Telegram component's `misconfigured`.
 */
function down(report: ComponentReport): boolean {
  return report.status !== 'healthy' && report.status !== 'not_configured';
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/**
 * Error text from a driver can hold a connection string or the dependency's address (`connect
 * ECONNREFUSED 10.0.0.5:5432`); the health routes answer anyone, so both are replaced.
 */
export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return scrubAddresses(message).slice(0, 300);
}

export function scrubAddresses(text: string): string {
  return (
    text
      .replace(/\w+:\/\/[^\s]+/g, '[url]')
      // getaddrinfo ENOTFOUND db.internal
      .replace(/\b(ENOTFOUND|EAI_AGAIN|EAI_FAIL)\s+\S+/g, '$1 [address]')
      // IPv6 literals, with or without brackets and port (::1, [fd00::5]:5432, fe80::1:5432)
      .replace(/\[?(?<![\w:])(?:[0-9a-f]{1,4})?(?::[0-9a-f]{0,4}){2,7}\]?(?::\d{1,5})?/gi, '[address]')
      // IPv4 with an optional port, then host:port
      .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, '[address]')
      .replace(/\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*:\d{2,5}\b/gi, '[address]')
  );
}
