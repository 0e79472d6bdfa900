import type { TLSSocket } from 'node:tls';
import { Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { HealthRegistry } from '../health/health-registry';
import { MetricsService } from '../metrics/metrics.service';
import { PeerCertificates } from '../tls/tls-certificates';
import type { SecretCipher } from './cipher';
import { createLocalCipher, createVaultCipher, vaultClientOptions } from './cipher-factory';
import { LocalAesGcmCipher } from './local-cipher';
import { VaultClient } from './vault-client';
import { describeDownState } from './vault-health';
import { VaultKvReader } from './vault-kv';
import { VaultTransitCipher } from './vault-transit-cipher';
import { SECRET_CIPHER, VAULT_CLIENT, VAULT_KV } from './vault.tokens';

export { SECRET_CIPHER, VAULT_KV };

/** The one Vault client of the app where VAULT_URL is set (round trips timed in `vault_request_duration_seconds`). */
export function createVaultClient(
  config: AppConfig,
  logger: PinoLogger,
  metrics: MetricsService,
  peers?: PeerCertificates,
): VaultClient {
  const durations = metrics.histogram(
    'vault_request_duration_seconds',
    'Vault round trips by operation and outcome',
    ['operation', 'outcome'],
    // Explicit: MetricsService passes `buckets: undefined` through, which prom-client does not default.
    [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  return new VaultClient(
    vaultClientOptions(config, {
      logger: { log: (message) => logger.info(message), warn: (message) => logger.warn(message) },
      onVaultCall: (event) =>
        durations.observe({ operation: event.operation, outcome: event.outcome }, event.durationMs / 1000),
      ...(peers ? { onTlsConnection: (socket: TLSSocket) => peers.observe('vault', socket) } : {}),
    }),
  );
}

@Injectable()
class VaultLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(SECRET_CIPHER) private readonly cipher: SecretCipher,
    @Inject(VAULT_CLIENT) private readonly client: VaultClient | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: HealthRegistry,
    @InjectPinoLogger('Vault') private readonly logger: PinoLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    const usesVault = this.client !== null;
    this.registry.register({
      key: 'vault',
      type: 'HashiCorp Vault',
      critical: usesVault,
      notConfigured: !usesVault,
      probe: async () => {
        const health = await this.cipher.health();
        if (health.status !== 'up') throw new Error(describeDownState(health.state, health.detail));
        return usesVault
          ? { state: health.state, transit_key: this.config.vault.transitKey }
          : { configured: false, cipher: this.cipher.name };
      },
    });
    if (this.cipher instanceof LocalAesGcmCipher) {
      await this.cipher.init();
    } else if (this.cipher instanceof VaultTransitCipher) {
      // Vault may be down at start: the service still starts (readiness says 503) and recovers by itself.
      await this.cipher.start().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'Vault is not reachable yet; secrets are unavailable until it is');
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.cipher instanceof VaultTransitCipher) await this.cipher.stop();
    this.client?.stop();
  }
}

/**
 * Secrets for every feature: the `SECRET_CIPHER` (Vault transit where VAULT_URL is set; otherwise the local
 * AES-256-GCM key ring, development only) and `VAULT_KV`, the KV v2 reader (null without Vault). All Vault
 * traffic goes through one `VaultClient`: one connection pool, one token, one renewal timer.
 */
@Global()
@Module({
  providers: [
    {
      provide: VAULT_CLIENT,
      inject: [APP_CONFIG, PinoLogger, MetricsService, PeerCertificates],
      useFactory: (
        config: AppConfig,
        logger: PinoLogger,
        metrics: MetricsService,
        peers: PeerCertificates,
      ): VaultClient | null => {
        logger.setContext('Vault');
        return config.vault.url ? createVaultClient(config, logger, metrics, peers) : null;
      },
    },
    {
      provide: SECRET_CIPHER,
      inject: [APP_CONFIG, VAULT_CLIENT],
      useFactory: (config: AppConfig, client: VaultClient | null): SecretCipher =>
        client ? createVaultCipher(config, client) : createLocalCipher(config),
    },
    {
      provide: VAULT_KV,
      inject: [VAULT_CLIENT],
      useFactory: (client: VaultClient | null): VaultKvReader | null =>
        client ? new VaultKvReader(client) : null,
    },
    VaultLifecycle,
  ],
  exports: [SECRET_CIPHER, VAULT_KV],
})
export class VaultModule {}
