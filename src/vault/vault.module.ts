import { Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ensureKeysDir } from '../config/data-dir';
import { HealthRegistry } from '../health/health-registry';
import { MetricsService } from '../metrics/metrics.service';
import type { SecretCipher } from './cipher';
import { LocalAesGcmCipher } from './local-cipher';
import { VaultTransitCipher } from './vault-transit-cipher';

/** Injection token of the one cipher every feature uses for secrets. */
export const SECRET_CIPHER = Symbol('SECRET_CIPHER');

/** Vault transit where VAULT_URL is set; otherwise the local AES-256-GCM key ring (development). */
export function createCipher(config: AppConfig, logger: PinoLogger, metrics: MetricsService): SecretCipher {
  const { vault } = config;
  if (!vault.url) {
    return new LocalAesGcmCipher({ keyringPath: join(ensureKeysDir(config.dataDir), 'local-keyring.json') });
  }
  const durations = metrics.histogram(
    'vault_request_duration_seconds',
    'Vault round trips by operation and outcome',
    ['operation', 'outcome'],
  );
  return new VaultTransitCipher({
    url: vault.url,
    token: vault.token,
    approle: vault.roleId && vault.secretId ? { roleId: vault.roleId, secretId: vault.secretId } : undefined,
    kubernetes: vault.k8sRole ? { role: vault.k8sRole, tokenPath: vault.k8sTokenPath } : undefined,
    transitKey: vault.transitKey,
    kvPath: vault.kvTelegramPath,
    timeoutMs: vault.timeoutMs,
    logger: { log: (message) => logger.info(message), warn: (message) => logger.warn(message) },
    onVaultCall: (event) =>
      durations.observe({ operation: event.operation, outcome: event.outcome }, event.durationMs / 1000),
  });
}

@Injectable()
class CipherLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(SECRET_CIPHER) private readonly cipher: SecretCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: HealthRegistry,
    @InjectPinoLogger('Vault') private readonly logger: PinoLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    const usesVault = Boolean(this.config.vault.url);
    this.registry.register({
      key: 'vault',
      type: 'HashiCorp Vault',
      critical: usesVault,
      probe: async () => {
        const health = await this.cipher.health();
        if (health.status !== 'up') throw new Error(`Vault is ${health.state}`);
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
  }
}

@Global()
@Module({
  providers: [
    {
      provide: SECRET_CIPHER,
      inject: [APP_CONFIG, PinoLogger, MetricsService],
      useFactory: (config: AppConfig, logger: PinoLogger, metrics: MetricsService) => {
        logger.setContext('Vault');
        return createCipher(config, logger, metrics);
      },
    },
    CipherLifecycle,
  ],
  exports: [SECRET_CIPHER],
})
export class VaultModule {}
