import { Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { HealthRegistry } from '../health/health-registry';
import { MetricsService } from '../metrics/metrics.service';
import type { CipherState, SecretCipher } from './cipher';
import { createLocalCipher, createVaultCipher } from './cipher-factory';
import { LocalAesGcmCipher } from './local-cipher';
import { TelegramCredentialsProvider } from './telegram-credentials.provider';
import { VaultTransitCipher } from './vault-transit-cipher';
import { SECRET_CIPHER } from './vault.tokens';

export { SECRET_CIPHER };

/** Vault transit where VAULT_URL is set; otherwise the local AES-256-GCM key ring (development). */
export function createCipher(config: AppConfig, logger: PinoLogger, metrics: MetricsService): SecretCipher {
  if (!config.vault.url) return createLocalCipher(config);
  const durations = metrics.histogram(
    'vault_request_duration_seconds',
    'Vault round trips by operation and outcome',
    ['operation', 'outcome'],
    // Explicit: MetricsService passes `buckets: undefined` through, which prom-client does not default.
    [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  return createVaultCipher(config, {
    logger: { log: (message) => logger.info(message), warn: (message) => logger.warn(message) },
    onVaultCall: (event) =>
      durations.observe({ operation: event.operation, outcome: event.outcome }, event.durationMs / 1000),
  });
}

const DOWN_STATES: Partial<Record<CipherState, string>> = {
  sealed: 'Vault is sealed',
  uninitialized: 'Vault is not initialised',
  dr_secondary: 'Vault is a DR secondary and cannot serve requests',
  unreachable: 'Vault is unreachable',
  timeout: 'Vault did not answer within VAULT_TIMEOUT_MS',
  unexpected_response: 'Vault answered something that is not a Vault health response',
  forbidden: "Vault refuses this service's token (403)",
  login_failed: 'The Vault login (AppRole/Kubernetes) is rejected',
  misconfigured: 'The transit key is missing or not derived',
};

/** The health error text: what is wrong, and the machine-readable state. */
export function describeDownState(state: CipherState): string {
  return `${DOWN_STATES[state] ?? 'Vault cannot serve requests'} (state: ${state})`;
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
        if (health.status !== 'up') throw new Error(describeDownState(health.state));
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
    TelegramCredentialsProvider,
  ],
  exports: [SECRET_CIPHER, TelegramCredentialsProvider],
})
export class VaultModule {}
