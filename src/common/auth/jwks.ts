import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DependencyUnavailableError, UnauthorizedError } from '../errors/app-error';

const CACHE_MS = 10 * 60_000;
const MIN_REFRESH_INTERVAL_MS = 30_000;

interface Jwk extends JsonWebKey {
  kid?: string;
  use?: string;
}

/**
 * Public keys from the identity provider's JWKS URL, cached for ten minutes. An unknown `kid`
 * triggers one early refresh (key rotation), at most every 30 s so a flood of forged kids cannot
 * hammer the provider. An unreachable provider is a 503, not a 401: the token may be fine.
 */
export class JwksKeyStore {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private inFlight?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly minRefreshIntervalMs = MIN_REFRESH_INTERVAL_MS,
  ) {}

  async key(kid: string | undefined): Promise<KeyObject> {
    const now = Date.now();
    if (now - this.fetchedAt > CACHE_MS) await this.refresh();
    let key = this.find(kid);
    if (!key && now - this.fetchedAt >= this.minRefreshIntervalMs) {
      await this.refresh();
      key = this.find(kid);
    }
    if (!key) throw new UnauthorizedError('Token signing key is not known');
    return key;
  }

  private find(kid: string | undefined): KeyObject | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    // Without a kid, accept only an unambiguous single-key set.
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async load(): Promise<void> {
    let body: { keys?: Jwk[] };
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = (await response.json()) as { keys?: Jwk[] };
    } catch (error) {
      if (this.keys.size > 0) return; // keep serving with the keys we have
      throw new DependencyUnavailableError(
        'jwks',
        `The identity provider's keys cannot be fetched (${(error as Error).message})`,
      );
    }
    const keys = new Map<string, KeyObject>();
    (body.keys ?? []).forEach((jwk, index) => {
      if (jwk.use && jwk.use !== 'sig') return;
      if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') return;
      try {
        keys.set(jwk.kid ?? `#${index}`, createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        // A malformed entry is skipped; the others still work.
      }
    });
    this.keys = keys;
    this.fetchedAt = Date.now();
  }
}
