import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { PeerCertificates, registerTlsExpiryMetric, TLS_EXPIRY_METRIC } from './tls-certificates';

/** The dependencies' certificate expiry metric and the record of what their servers presented. */
@Global()
@Module({ providers: [PeerCertificates], exports: [PeerCertificates] })
export class TlsModule implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly peers: PeerCertificates,
  ) {}

  onModuleInit(): void {
    if (this.metrics.registry.getSingleMetric(TLS_EXPIRY_METRIC)) return;
    registerTlsExpiryMetric(this.metrics.registry, this.config.tls, this.peers);
  }
}
