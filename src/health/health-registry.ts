import { Injectable } from '@nestjs/common';

/** One dependency's health probe. `probe` resolves with extra facts when up and throws when down. */
export interface HealthComponent {
  /** Key in `components`, e.g. "database", "vault". */
  key: string;
  /** Human-readable kind, e.g. "PostgreSQL", "HashiCorp Vault". */
  type: string;
  /** Whether readiness depends on it. */
  critical: boolean;
  /**
   * The dependency is not configured and a development stand-in does its work (the local key ring
   * instead of Vault): a working probe then reports `not_configured`, not `healthy`.
   */
  notConfigured?: boolean;
  probe(): Promise<Record<string, unknown>>;
}

/** Feature modules register their dependencies here; the health routes probe whatever is registered. */
@Injectable()
export class HealthRegistry {
  private readonly components = new Map<string, HealthComponent>();

  register(component: HealthComponent): void {
    this.components.set(component.key, component);
  }

  all(): HealthComponent[] {
    return [...this.components.values()];
  }
}
