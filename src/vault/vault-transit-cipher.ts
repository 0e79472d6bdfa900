/**
 * Secret cipher on HashiCorp Vault's transit engine, through node-vault (the only module allowed to import it).
 *
 * - Derived transit key (default `telegram-sessions`), context = base64(String(userId)): a ciphertext decrypts
 *   only in its owner's name. The key is created (derived, aes256-gcm96) on first use when missing.
 * - One Vault round trip per encrypt/decrypt once started; batch operations use `batch_input`.
 * - Auth: a token, AppRole or Kubernetes login. The token is renewed (renew-self) at 2/3 of its TTL; when
 *   renewal fails, or the TTL is capped by max_ttl, or a call gets 403, the configured login runs again (the
 *   403'd call is retried once).
 * - Every operation is bounded by `timeoutMs` with our own timer: node-vault forwards `timeout` to axios, whose
 *   timer is wall-clock only until the response headers arrive (then only socket idleness counts), so a slowly
 *   trickled body would not be bounded. The axios timeout is still passed so stalled sockets get torn down.
 * - node-vault's `debug` output (which logs request bodies, i.e. plaintext) is switched off; raw client errors
 *   (which carry the request body in `config.data`) are never rethrown or attached.
 */
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import nodeVault from 'node-vault';
import {
  assertPlaintext,
  assertUserId,
  type BatchItemResult,
  type CipherHealth,
  type CipherState,
  type DecryptItem,
  type EncryptItem,
  type SecretCipher,
  type SecretEnvelope,
} from './cipher';
import {
  CipherNotConfiguredError,
  SecretDecryptionError,
  type SecretDecryptionReason,
  VaultSecretNotFoundError,
  VaultUnavailableError,
} from './vault.errors';

export const DEFAULT_TRANSIT_KEY = 'telegram-sessions';
export const DEFAULT_TELEGRAM_KV_PATH = 'secret/data/integrations/telegram';
export const DEFAULT_KUBERNETES_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface VaultCipherLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface VaultCallEvent {
  operation: string;
  durationMs: number;
  outcome: 'success' | 'error';
  /** HTTP status of an API error answer (absent for success, network errors and timeouts). */
  status?: number;
}

export interface VaultTransitCipherOptions {
  /** e.g. http://127.0.0.1:8200 */
  url: string;
  token?: string;
  approle?: { roleId: string; secretId: string; mountPath?: string };
  kubernetes?: { role: string; tokenPath?: string; mountPath?: string };
  namespace?: string;
  /** Default 'transit'. */
  transitMount?: string;
  /** Default 'telegram-sessions'. */
  transitKey?: string;
  /** Bound for every operation (and each Vault round trip), default 5000. */
  timeoutMs?: number;
  /** KV v2 read path of the Telegram API credentials, default 'secret/data/integrations/telegram'. */
  kvPath?: string;
  /** Default 300000. */
  kvCacheTtlMs?: number;
  /** Create the transit key (derived) when it is missing. Default true. */
  createKeyIfMissing?: boolean;
  /** Fraction of the token TTL after which it is renewed. Default 2/3. */
  renewFraction?: number;
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  logger?: VaultCipherLogger;
  /** Called after every Vault round trip (for metrics). */
  onVaultCall?: (event: VaultCallEvent) => void;
}

export interface TransitKeyInfo {
  name: string;
  type: string;
  derived: boolean;
  latestVersion: number;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  versions: number[];
}

export interface TelegramCredentials {
  apiId: number;
  apiHash: string;
}

type VaultClient = ReturnType<typeof nodeVault>;

interface RequestOptions {
  timeout: number;
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
}

interface ApiFailure {
  status: number;
  body: unknown;
  errors: string[];
}

type CallResult = { ok: true; body: unknown } | { ok: false; failure: ApiFailure };

type Request = (options: RequestOptions) => Promise<unknown>;

const AUTH_FAILED = 'cipher: message authentication failed';
const TOO_OLD = 'ciphertext or signature version is disallowed by policy (too old)';
const MIN_MAINTENANCE_DELAY_MS = 500;
/** The derivation context of the health probe's encrypt; never a user's (those are decimal user ids). */
const HEALTH_CONTEXT = 'integration-service/health-check';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function numberField(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** node-vault's ApiResponseError: an Error with `response: { statusCode, body }`. */
function apiFailureOf(err: unknown): ApiFailure | undefined {
  if (!(err instanceof Error)) return undefined;
  const response: unknown = (err as Error & { response?: unknown }).response;
  if (!isRecord(response) || typeof response.statusCode !== 'number') return undefined;
  const errorsField = field(response.body, 'errors');
  const errors = Array.isArray(errorsField)
    ? errorsField.filter((e): e is string => typeof e === 'string')
    : [];
  return { status: response.statusCode, body: response.body, errors };
}

/** axios errors (network, timeout) have `isAxiosError` and a `code`. */
function networkReason(err: unknown): 'timeout' | 'unreachable' | undefined {
  if (!isRecord(err) || err.isAxiosError !== true) return undefined;
  return err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' ? 'timeout' : 'unreachable';
}

function classifyDecryptError(message: string): SecretDecryptionReason {
  if (message === AUTH_FAILED) return 'authentication_failed';
  if (message === TOO_OLD) return 'version_disallowed';
  if (message === 'invalid ciphertext: version is too new') return 'unknown_key_version';
  if (message === 'encryption key not found') return 'key_not_found';
  return 'malformed';
}

/** The health state for an error of the transit probe. */
function healthStateOf(err: unknown): CipherState {
  if (err instanceof CipherNotConfiguredError) return 'misconfigured';
  if (!(err instanceof VaultUnavailableError)) return 'error';
  switch (err.reason) {
    case 'unreachable':
    case 'timeout':
    case 'sealed':
    case 'forbidden':
    case 'login_failed':
      return err.reason;
    case 'uninitialized':
      return 'uninitialized';
    default:
      return 'error';
  }
}

function versionOf(ciphertext: string): number | undefined {
  const match = /^vault:v(\d+):/.exec(ciphertext);
  return match ? Number(match[1]) : undefined;
}

function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function contextFor(userId: number): string {
  return toBase64(String(userId));
}

export class VaultTransitCipher implements SecretCipher {
  readonly name = 'vault-transit' as const;
  readonly key: string;

  private readonly vault: VaultClient;
  /** A token-less client for logins: Vault may refuse a login that carries a stale token. */
  private readonly loginClient: VaultClient;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent: HttpsAgent;
  private readonly mount: string;
  private readonly timeoutMs: number;
  private readonly kvPath: string;
  private readonly kvCacheTtlMs: number;
  private readonly renewFraction: number;
  private readonly createKeyIfMissing: boolean;
  private readonly logger: VaultCipherLogger | undefined;

  private readyPromise: Promise<void> | undefined;
  private isReady = false;
  private loginPromise: Promise<void> | undefined;
  private tokenTimer: NodeJS.Timeout | undefined;
  private tokenBaseTtl = 0;
  private tokenExpiresAt: number | undefined;
  private kvCache: { value: TelegramCredentials; expiresAt: number } | undefined;
  private kvInFlight: Promise<TelegramCredentials> | undefined;
  private stopped = false;

  constructor(private readonly options: VaultTransitCipherOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new CipherNotConfiguredError('VAULT_URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CipherNotConfiguredError('VAULT_URL must be an http(s) URL');
    }
    if (!options.token && !options.approle && !options.kubernetes) {
      throw new CipherNotConfiguredError('Vault needs a token, AppRole or Kubernetes authentication');
    }
    if (options.approle && (!options.approle.roleId || !options.approle.secretId)) {
      throw new CipherNotConfiguredError('Vault AppRole authentication needs a role id and a secret id');
    }
    if (options.kubernetes && !options.kubernetes.role) {
      throw new CipherNotConfiguredError('Vault Kubernetes authentication needs a role');
    }
    this.timeoutMs = options.timeoutMs ?? 5000;
    if (!(this.timeoutMs > 0)) throw new CipherNotConfiguredError('Vault timeout must be positive');
    this.renewFraction = options.renewFraction ?? 2 / 3;
    if (!(this.renewFraction > 0 && this.renewFraction < 1)) {
      throw new CipherNotConfiguredError('Vault token renew fraction must be between 0 and 1');
    }
    this.key = options.transitKey ?? DEFAULT_TRANSIT_KEY;
    this.mount = (options.transitMount ?? 'transit').replace(/^\/+|\/+$/g, '');
    this.kvPath = (options.kvPath ?? DEFAULT_TELEGRAM_KV_PATH).replace(/^\/+/, '');
    this.kvCacheTtlMs = options.kvCacheTtlMs ?? 300_000;
    this.createKeyIfMissing = options.createKeyIfMissing ?? true;
    this.logger = options.logger;
    this.httpsAgent = new HttpsAgent({
      keepAlive: true,
      ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
      ...(options.tls?.rejectUnauthorized !== undefined
        ? { rejectUnauthorized: options.tls.rejectUnauthorized }
        : {}),
    });
    const base = {
      endpoint: options.url.replace(/\/+$/, ''),
      apiVersion: 'v1',
      debug: (): void => undefined,
      ...(options.namespace ? { namespace: options.namespace } : {}),
    };
    this.vault = nodeVault(base);
    this.vault.token = options.token ?? '';
    this.loginClient = nodeVault(base);
    this.loginClient.token = '';
  }

  /** Authenticates, schedules token renewal and makes sure the transit key exists. Idempotent. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.withDeadline(this.ready(), Date.now() + this.timeoutMs);
  }

  /** Clears timers and closes pooled connections. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTokenTimer();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.isReady = false;
  }

  async encrypt(plaintext: string, userId: number): Promise<SecretEnvelope> {
    assertPlaintext(plaintext);
    assertUserId(userId);
    const deadline = await this.begin();
    const res = await this.authed('encrypt', deadline, (ro) =>
      this.vault.write(
        `${this.mount}/encrypt/${this.key}`,
        { plaintext: toBase64(plaintext), context: contextFor(userId) },
        ro,
      ),
    );
    if (!res.ok) throw this.encryptFailure(res.failure, 'encrypt');
    return this.envelopeFrom(
      field(res.body, 'data', 'ciphertext'),
      field(res.body, 'data', 'key_version'),
      this.key,
    );
  }

  async decrypt(envelope: SecretEnvelope, userId: number): Promise<string> {
    assertUserId(userId);
    this.checkEnvelope(envelope);
    const deadline = await this.begin();
    const res = await this.authed('decrypt', deadline, (ro) =>
      this.vault.write(
        `${this.mount}/decrypt/${envelope.key}`,
        { ciphertext: envelope.ciphertext, context: contextFor(userId) },
        ro,
      ),
    );
    if (!res.ok) {
      if (res.failure.status === 400)
        throw new SecretDecryptionError(classifyDecryptError(res.failure.errors[0] ?? ''));
      throw this.unavailable(res.failure, 'decrypt');
    }
    return this.plaintextFrom(field(res.body, 'data', 'plaintext'));
  }

  async encryptMany(items: readonly EncryptItem[]): Promise<SecretEnvelope[]> {
    for (const item of items) {
      assertPlaintext(item.plaintext);
      assertUserId(item.userId);
    }
    if (items.length === 0) return [];
    const deadline = await this.begin();
    const batch = items.map((item) => ({
      plaintext: toBase64(item.plaintext),
      context: contextFor(item.userId),
    }));
    const res = await this.authed('encrypt batch', deadline, (ro) =>
      this.vault.write(`${this.mount}/encrypt/${this.key}`, { batch_input: batch }, ro),
    );
    let results: Record<string, unknown>[];
    if (res.ok) {
      results = this.batchResults(res.body, items.length);
    } else {
      const failed = this.failedBatchResults(res.failure, items.length);
      if (!failed) throw this.encryptFailure(res.failure, 'encrypt batch');
      results = failed;
    }
    if (results.some((r) => typeof r.error === 'string' && r.error !== '')) {
      throw new VaultUnavailableError('rejected', res.ok ? 200 : res.failure.status, 'encrypt batch');
    }
    return results.map((r) => this.envelopeFrom(r.ciphertext, r.key_version, this.key));
  }

  async decryptMany(items: readonly DecryptItem[]): Promise<BatchItemResult<string>[]> {
    items.forEach((item) => assertUserId(item.userId));
    const out: BatchItemResult<string>[] = new Array<BatchItemResult<string>>(items.length);
    const groups = new Map<string, number[]>();
    items.forEach((item, index) => {
      try {
        this.checkEnvelope(item.envelope);
      } catch (err) {
        out[index] = { ok: false, error: err as SecretDecryptionError };
        return;
      }
      const group = groups.get(item.envelope.key) ?? [];
      group.push(index);
      groups.set(item.envelope.key, group);
    });
    if (groups.size === 0) return out;
    const deadline = await this.begin();
    for (const [keyName, indexes] of groups) {
      const batch = indexes.map((i) => ({
        ciphertext: items[i].envelope.ciphertext,
        context: contextFor(items[i].userId),
      }));
      const res = await this.authed('decrypt batch', deadline, (ro) =>
        this.vault.write(`${this.mount}/decrypt/${keyName}`, { batch_input: batch }, ro),
      );
      let results: Record<string, unknown>[];
      if (res.ok) {
        results = this.batchResults(res.body, indexes.length);
      } else {
        const failed = this.failedBatchResults(res.failure, indexes.length);
        if (!failed) {
          if (res.failure.status !== 400) throw this.unavailable(res.failure, 'decrypt batch');
          const error = new SecretDecryptionError(classifyDecryptError(res.failure.errors[0] ?? ''));
          indexes.forEach((i) => (out[i] = { ok: false, error }));
          continue;
        }
        results = failed;
      }
      results.forEach((r, j) => {
        out[indexes[j]] =
          typeof r.error === 'string' && r.error !== ''
            ? { ok: false, error: new SecretDecryptionError(classifyDecryptError(r.error)) }
            : { ok: true, value: this.plaintextFrom(r.plaintext) };
      });
    }
    return out;
  }

  async rewrapMany(items: readonly DecryptItem[]): Promise<BatchItemResult<SecretEnvelope>[]> {
    items.forEach((item) => assertUserId(item.userId));
    const out: BatchItemResult<SecretEnvelope>[] = new Array<BatchItemResult<SecretEnvelope>>(items.length);
    const pending: number[] = [];
    items.forEach((item, index) => {
      try {
        this.checkEnvelope(item.envelope);
        if (item.envelope.key !== this.key) throw new SecretDecryptionError('key_not_found');
        pending.push(index);
      } catch (err) {
        out[index] = { ok: false, error: err as SecretDecryptionError };
      }
    });
    if (pending.length === 0) return out;
    await this.begin();
    await this.rewrapChunk(items, pending, out);
    return out;
  }

  async currentKeyVersion(): Promise<number> {
    return (await this.readKeyInfo()).latestVersion;
  }

  async rotateKey(): Promise<number> {
    const deadline = await this.begin();
    const res = await this.authed('rotate key', deadline, (ro) =>
      this.vault.write(`${this.mount}/keys/${this.key}/rotate`, {}, ro),
    );
    if (!res.ok) {
      if (res.failure.status === 400)
        throw new CipherNotConfiguredError(`Transit key "${this.key}" cannot be rotated`);
      throw this.unavailable(res.failure, 'rotate key');
    }
    const latest = numberField(field(res.body, 'data', 'latest_version'));
    if (latest !== undefined) return latest;
    return this.currentKeyVersion();
  }

  async readKeyInfo(): Promise<TransitKeyInfo> {
    const deadline = await this.begin();
    const res = await this.authed('read key', deadline, (ro) =>
      this.vault.read(`${this.mount}/keys/${this.key}`, ro),
    );
    if (!res.ok) {
      if (res.failure.status === 404)
        throw new CipherNotConfiguredError(`Transit key "${this.key}" does not exist`);
      throw this.unavailable(res.failure, 'read key');
    }
    return this.keyInfoFrom(res.body);
  }

  /**
   * Vault's own state (`sys/health`: active, standby, sealed, uninitialised...), and when it says it can
   * serve, whether this service can use it: one tiny transit encrypt under a context no user has (this also
   * finishes a set-up that failed while Vault was away, and logs in again after a 403). The whole check is
   * bounded by `timeoutMs`.
   */
  async health(): Promise<CipherHealth> {
    const started = Date.now();
    const deadline = started + this.timeoutMs;
    const result = (status: CipherHealth['status'], state: CipherState, version?: string): CipherHealth => ({
      status,
      state,
      latency_ms: Date.now() - started,
      ...(version !== undefined ? { version } : {}),
    });
    let res: CallResult;
    try {
      res = await this.send('health', deadline, (ro) => this.vault.health({ requestOptions: ro }));
    } catch (err) {
      return result(
        'down',
        err instanceof VaultUnavailableError && err.reason === 'timeout' ? 'timeout' : 'unreachable',
      );
    }
    const body = res.ok ? res.body : undefined;
    if (!isRecord(body) || typeof body.initialized !== 'boolean' || typeof body.sealed !== 'boolean') {
      return result('down', 'unexpected_response');
    }
    const version = typeof body.version === 'string' ? body.version : undefined;
    let state: CipherState = 'active';
    if (!body.initialized) state = 'uninitialized';
    else if (body.sealed) state = 'sealed';
    else if (body.replication_dr_mode === 'secondary') state = 'dr_secondary';
    else if (body.performance_standby === true) state = 'perf_standby';
    else if (body.standby === true) state = 'standby';
    if (state !== 'active' && state !== 'standby' && state !== 'perf_standby') {
      return result('down', state, version);
    }
    try {
      await this.probeTransit(deadline);
    } catch (err) {
      return result('down', healthStateOf(err), version);
    }
    return result('up', state, version);
  }

  /**
   * `{api_id, api_hash}` from KV v2 at `kvPath`, cached for `kvCacheTtlMs`. When Vault is unavailable and a
   * value was read before, that (stale) value is returned.
   */
  async readTelegramCredentials(): Promise<TelegramCredentials> {
    const cached = this.kvCache;
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    if (!this.kvInFlight) {
      this.kvInFlight = this.fetchTelegramCredentials().finally(() => {
        this.kvInFlight = undefined;
      });
    }
    try {
      return await this.kvInFlight;
    } catch (err) {
      if (err instanceof VaultUnavailableError && cached) {
        this.logger?.warn(`Vault unavailable (${err.reason}); using cached Telegram credentials`);
        return cached.value;
      }
      throw err;
    }
  }

  // --- plumbing ----------------------------------------------------------------------------------------------

  /** One encrypt of a constant under the health-check context (user contexts are decimal user ids). */
  private async probeTransit(deadline: number): Promise<void> {
    if (!this.isReady) await this.withDeadline(this.ready(), deadline);
    const res = await this.authed('health encrypt', deadline, (ro) =>
      this.vault.write(
        `${this.mount}/encrypt/${this.key}`,
        { plaintext: toBase64('ok'), context: toBase64(HEALTH_CONTEXT) },
        ro,
      ),
    );
    if (!res.ok) throw this.encryptFailure(res.failure, 'health encrypt');
  }

  /** Start of an operation: its deadline, after the cipher is ready (bounded by the same deadline). */
  private async begin(): Promise<number> {
    const deadline = Date.now() + this.timeoutMs;
    if (!this.isReady) await this.withDeadline(this.ready(), deadline);
    return deadline;
  }

  private ready(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    if (!this.readyPromise) {
      this.readyPromise = this.initialize()
        .then(() => {
          this.isReady = true;
        })
        .finally(() => {
          this.readyPromise = undefined;
        });
    }
    return this.readyPromise;
  }

  private async initialize(): Promise<void> {
    if (!this.vault.token) await this.login();
    else if (this.tokenTimer === undefined && this.tokenExpiresAt === undefined) await this.inspectToken();
    await this.ensureKey();
  }

  private withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      promise.catch(() => undefined);
      return Promise.reject(new VaultUnavailableError('timeout'));
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new VaultUnavailableError('timeout')), remaining);
    });
    promise.catch(() => undefined);
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
  }

  /** One Vault round trip bounded by `deadline`. API errors come back as failures; others throw. */
  private async send(operation: string, deadline: number, request: Request): Promise<CallResult> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new VaultUnavailableError('timeout', undefined, operation);
    const started = Date.now();
    let outcome: VaultCallEvent['outcome'] = 'error';
    let status: number | undefined;
    try {
      const body = await this.withDeadline(
        request({ timeout: remaining, httpAgent: this.httpAgent, httpsAgent: this.httpsAgent }),
        deadline,
      );
      outcome = 'success';
      return { ok: true, body };
    } catch (err) {
      if (err instanceof VaultUnavailableError)
        throw new VaultUnavailableError(err.reason, err.statusCode, operation);
      const failure = apiFailureOf(err);
      if (failure) {
        status = failure.status;
        return { ok: false, failure };
      }
      throw new VaultUnavailableError(networkReason(err) ?? 'bad_response', undefined, operation);
    } finally {
      this.options.onVaultCall?.({
        operation,
        durationMs: Date.now() - started,
        outcome,
        ...(status !== undefined ? { status } : {}),
      });
    }
  }

  /** A token-authenticated round trip; on 403 with a login method: log in again and retry once. */
  private async authed(operation: string, deadline: number, request: Request): Promise<CallResult> {
    if (!this.vault.token) await this.withDeadline(this.login(), deadline);
    const tokenUsed = this.vault.token;
    const first = await this.send(operation, deadline, request);
    if (first.ok || first.failure.status !== 403 || !this.canLogin()) return first;
    if (this.vault.token === tokenUsed) await this.withDeadline(this.login(), deadline);
    return this.send(operation, deadline, request);
  }

  private unavailable(failure: ApiFailure, operation: string): VaultUnavailableError {
    const { status } = failure;
    if (status === 403) return new VaultUnavailableError('forbidden', status, operation);
    if (status === 503 && failure.errors.some((e) => /sealed/i.test(e))) {
      return new VaultUnavailableError('sealed', status, operation);
    }
    if (status === 501) return new VaultUnavailableError('uninitialized', status, operation);
    if (status === 429) return new VaultUnavailableError('rate_limited', status, operation);
    if (status >= 500) return new VaultUnavailableError('server_error', status, operation);
    return new VaultUnavailableError('rejected', status, operation);
  }

  private encryptFailure(failure: ApiFailure, operation: string): Error {
    if (failure.status === 400 && failure.errors[0] === 'encryption key not found') {
      this.isReady = false;
      return new CipherNotConfiguredError(`Transit key "${this.key}" does not exist`);
    }
    return this.unavailable(failure, operation);
  }

  private canLogin(): boolean {
    return this.options.approle !== undefined || this.options.kubernetes !== undefined;
  }

  private checkEnvelope(envelope: SecretEnvelope): void {
    if (
      !isRecord(envelope) ||
      envelope.v !== 1 ||
      typeof envelope.key !== 'string' ||
      typeof envelope.ciphertext !== 'string'
    ) {
      throw new SecretDecryptionError('malformed');
    }
    if (envelope.cipher !== this.name) throw new SecretDecryptionError('wrong_cipher');
    if (!/^\w(?:[\w\-.@]*\w)?$/.test(envelope.key) || versionOf(envelope.ciphertext) === undefined) {
      throw new SecretDecryptionError('malformed');
    }
  }

  private envelopeFrom(ciphertext: unknown, keyVersion: unknown, key: string): SecretEnvelope {
    if (typeof ciphertext !== 'string') throw new VaultUnavailableError('bad_response', undefined, 'encrypt');
    const version = numberField(keyVersion) ?? versionOf(ciphertext);
    if (version === undefined) throw new VaultUnavailableError('bad_response', undefined, 'encrypt');
    return { v: 1, cipher: this.name, key, key_version: version, ciphertext };
  }

  private plaintextFrom(value: unknown): string {
    if (typeof value !== 'string') throw new VaultUnavailableError('bad_response', undefined, 'decrypt');
    return Buffer.from(value, 'base64').toString('utf8');
  }

  private batchResults(body: unknown, expected: number): Record<string, unknown>[] {
    const results = field(body, 'data', 'batch_results');
    if (!Array.isArray(results) || results.length !== expected || !results.every(isRecord)) {
      throw new VaultUnavailableError('bad_response', undefined, 'batch');
    }
    return results;
  }

  /** Vault answers a batch with a failed item with 400 and the full response (no `errors`) as body. */
  private failedBatchResults(failure: ApiFailure, expected: number): Record<string, unknown>[] | undefined {
    if (failure.status !== 400 || !Array.isArray(field(failure.body, 'data', 'batch_results')))
      return undefined;
    return this.batchResults(failure.body, expected);
  }

  private keyInfoFrom(body: unknown): TransitKeyInfo {
    const data = field(body, 'data');
    const latest = numberField(field(data, 'latest_version'));
    const keys = field(data, 'keys');
    const versions = isRecord(keys)
      ? Object.keys(keys)
          .map(Number)
          .filter(Number.isSafeInteger)
          .sort((a, b) => a - b)
      : [];
    const resolvedLatest = latest ?? (versions.length > 0 ? versions[versions.length - 1] : undefined);
    if (!isRecord(data) || resolvedLatest === undefined) {
      throw new VaultUnavailableError('bad_response', undefined, 'read key');
    }
    return {
      name: typeof data.name === 'string' ? data.name : this.key,
      type: typeof data.type === 'string' ? data.type : 'unknown',
      derived: data.derived === true,
      latestVersion: resolvedLatest,
      minDecryptionVersion: numberField(data.min_decryption_version) ?? 1,
      minEncryptionVersion: numberField(data.min_encryption_version) ?? 0,
      versions,
    };
  }

  /**
   * Rewraps `indexes` in one batch. Vault aborts a whole rewrap batch with a 500 when one item fails AEAD
   * authentication, so such a batch is split in halves until the failing items are isolated.
   */
  private async rewrapChunk(
    items: readonly DecryptItem[],
    indexes: number[],
    out: BatchItemResult<SecretEnvelope>[],
  ): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    const batch = indexes.map((i) => ({
      ciphertext: items[i].envelope.ciphertext,
      context: contextFor(items[i].userId),
    }));
    const res = await this.authed('rewrap batch', deadline, (ro) =>
      this.vault.write(`${this.mount}/rewrap/${this.key}`, { batch_input: batch }, ro),
    );
    if (!res.ok) {
      const { failure } = res;
      if (failure.status === 500 && failure.errors.some((e) => e.includes(AUTH_FAILED))) {
        if (indexes.length === 1) {
          out[indexes[0]] = { ok: false, error: new SecretDecryptionError('authentication_failed') };
          return;
        }
        const middle = Math.ceil(indexes.length / 2);
        await this.rewrapChunk(items, indexes.slice(0, middle), out);
        await this.rewrapChunk(items, indexes.slice(middle), out);
        return;
      }
      const results = this.failedBatchResults(failure, indexes.length);
      if (!results) {
        if (failure.status !== 400) throw this.unavailable(failure, 'rewrap batch');
        const error = new SecretDecryptionError(classifyDecryptError(failure.errors[0] ?? ''));
        indexes.forEach((i) => (out[i] = { ok: false, error }));
        return;
      }
      this.applyRewrapResults(results, indexes, out);
      return;
    }
    this.applyRewrapResults(this.batchResults(res.body, indexes.length), indexes, out);
  }

  private applyRewrapResults(
    results: Record<string, unknown>[],
    indexes: number[],
    out: BatchItemResult<SecretEnvelope>[],
  ): void {
    results.forEach((r, j) => {
      out[indexes[j]] =
        typeof r.error === 'string' && r.error !== ''
          ? { ok: false, error: new SecretDecryptionError(classifyDecryptError(r.error)) }
          : { ok: true, value: this.envelopeFrom(r.ciphertext, r.key_version, this.key) };
    });
  }

  private async ensureKey(): Promise<void> {
    const path = `${this.mount}/keys/${this.key}`;
    const read = await this.authed('read key', Date.now() + this.timeoutMs, (ro) =>
      this.vault.read(path, ro),
    );
    if (read.ok) {
      const info = this.keyInfoFrom(read.body);
      if (!info.derived) {
        throw new CipherNotConfiguredError(
          `Transit key "${this.key}" is not a derived key; per-user binding needs a key created with derived=true`,
        );
      }
      return;
    }
    if (read.failure.status === 403) {
      this.logger?.warn(`Vault denies reading ${path}; assuming the transit key exists and is derived`);
      return;
    }
    if (read.failure.status !== 404) throw this.unavailable(read.failure, 'read key');
    if (!this.createKeyIfMissing)
      throw new CipherNotConfiguredError(`Transit key "${this.key}" does not exist at ${path}`);
    const created = await this.authed('create key', Date.now() + this.timeoutMs, (ro) =>
      this.vault.write(path, { type: 'aes256-gcm96', derived: true }, ro),
    );
    if (created.ok) {
      this.logger?.log(`Created derived transit key "${this.key}"`);
      return;
    }
    if (created.failure.status === 403) {
      throw new CipherNotConfiguredError(
        `Transit key "${this.key}" does not exist and this Vault identity is not permitted to create it ` +
          `(403 on POST ${path}); create it with derived=true or grant "create" on that path`,
      );
    }
    throw this.unavailable(created.failure, 'create key');
  }

  // --- tokens ------------------------------------------------------------------------------------------------

  private login(): Promise<void> {
    if (!this.loginPromise) {
      this.loginPromise = this.doLogin().finally(() => {
        this.loginPromise = undefined;
      });
    }
    return this.loginPromise;
  }

  private async doLogin(): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    const { approle, kubernetes } = this.options;
    this.loginClient.token = '';
    let method: string;
    let res: CallResult;
    if (approle) {
      method = 'AppRole';
      res = await this.send('approle login', deadline, (ro) =>
        this.loginClient.approleLogin({
          role_id: approle.roleId,
          secret_id: approle.secretId,
          mount_point: approle.mountPath ?? 'approle',
          requestOptions: ro,
        }),
      );
    } else if (kubernetes) {
      method = 'Kubernetes';
      let jwt: string;
      try {
        jwt = (await readFile(kubernetes.tokenPath ?? DEFAULT_KUBERNETES_TOKEN_PATH, 'utf8')).trim();
      } catch {
        throw new VaultUnavailableError(
          'login_failed',
          undefined,
          'kubernetes login (service account token unreadable)',
        );
      }
      // node-vault 0.12.0 renders the default mount from the call's arguments, so it must be passed.
      res = await this.send('kubernetes login', deadline, (ro) =>
        this.loginClient.kubernetesLogin({
          role: kubernetes.role,
          jwt,
          mount_point: kubernetes.mountPath ?? 'kubernetes',
          requestOptions: ro,
        }),
      );
    } else {
      throw new VaultUnavailableError('forbidden', 403, 'token (no login method configured)');
    }
    this.loginClient.token = '';
    if (!res.ok) {
      const { status } = res.failure;
      if (status === 400 || status === 401 || status === 403) {
        throw new VaultUnavailableError('login_failed', status, `${method} login`);
      }
      throw this.unavailable(res.failure, `${method} login`);
    }
    const token = field(res.body, 'auth', 'client_token');
    if (typeof token !== 'string' || token === '')
      throw new VaultUnavailableError('bad_response', undefined, `${method} login`);
    this.vault.token = token;
    const ttl = numberField(field(res.body, 'auth', 'lease_duration')) ?? 0;
    this.tokenBaseTtl = ttl;
    this.scheduleTokenMaintenance(ttl, field(res.body, 'auth', 'renewable') === true, false);
    this.logger?.log(`Vault ${method} login succeeded (token TTL ${ttl}s)`);
  }

  /** For a configured token: learn its TTL (lookup-self) to schedule renewal. */
  private async inspectToken(): Promise<void> {
    const res = await this.send('token lookup', Date.now() + this.timeoutMs, (ro) =>
      this.vault.tokenLookupSelf({ requestOptions: ro }),
    );
    if (!res.ok) {
      if (res.failure.status === 403 && this.canLogin()) return this.login();
      throw this.unavailable(res.failure, 'token lookup');
    }
    const ttl = numberField(field(res.body, 'data', 'ttl')) ?? 0;
    this.tokenBaseTtl = numberField(field(res.body, 'data', 'creation_ttl')) ?? ttl;
    this.scheduleTokenMaintenance(ttl, field(res.body, 'data', 'renewable') === true, false);
  }

  private clearTokenTimer(): void {
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    this.tokenTimer = undefined;
  }

  private setTokenTimer(delayMs: number, action: 'renew' | 'login'): void {
    this.clearTokenTimer();
    if (this.stopped) return;
    this.tokenTimer = setTimeout(() => {
      this.tokenTimer = undefined;
      void this.maintainToken(action);
    }, delayMs);
    this.tokenTimer.unref();
  }

  /**
   * Renew at `renewFraction` of the TTL; log in again instead when the token cannot be renewed or its TTL was
   * capped by max_ttl (renewing would only shorten the intervals until it expires).
   */
  private scheduleTokenMaintenance(ttlSeconds: number, renewable: boolean, capped: boolean): void {
    this.clearTokenTimer();
    if (ttlSeconds <= 0) {
      this.tokenExpiresAt = undefined;
      return;
    }
    this.tokenExpiresAt = Date.now() + ttlSeconds * 1000;
    const action =
      renewable && !(capped && this.canLogin()) ? 'renew' : this.canLogin() ? 'login' : undefined;
    if (!action) {
      this.logger?.warn(
        `Vault token cannot be renewed and no login method is configured; it expires in ${ttlSeconds}s`,
      );
      return;
    }
    this.setTokenTimer(
      Math.max(MIN_MAINTENANCE_DELAY_MS, Math.floor(ttlSeconds * 1000 * this.renewFraction)),
      action,
    );
  }

  private async maintainToken(action: 'renew' | 'login'): Promise<void> {
    if (this.stopped) return;
    try {
      if (action === 'login') {
        await this.login();
        return;
      }
      const res = await this.send('token renew', Date.now() + this.timeoutMs, (ro) =>
        this.vault.tokenRenewSelf({ requestOptions: ro }),
      );
      if (res.ok) {
        const ttl = numberField(field(res.body, 'auth', 'lease_duration')) ?? 0;
        if (ttl <= 0) {
          if (this.canLogin()) await this.login();
          return;
        }
        this.scheduleTokenMaintenance(
          ttl,
          field(res.body, 'auth', 'renewable') === true,
          ttl < this.tokenBaseTtl,
        );
        return;
      }
      const { status } = res.failure;
      if (status === 400 || status === 403) {
        if (this.canLogin()) await this.login();
        else this.logger?.warn(`Vault refused to renew the token (HTTP ${status}); it will expire`);
        return;
      }
      throw this.unavailable(res.failure, 'token renew');
    } catch (err) {
      if (this.stopped) return;
      const reason = err instanceof VaultUnavailableError ? err.reason : 'error';
      const remaining = (this.tokenExpiresAt ?? 0) - Date.now();
      if (remaining <= 0 && !this.canLogin()) return;
      const delay = Math.min(30_000, Math.max(1000, remaining > 0 ? Math.floor(remaining / 3) : 5000));
      this.logger?.warn(`Vault token ${action} failed (${reason}); retrying in ${delay} ms`);
      this.setTokenTimer(delay, remaining > 0 ? action : 'login');
    }
  }

  // --- kv ----------------------------------------------------------------------------------------------------

  private async fetchTelegramCredentials(): Promise<TelegramCredentials> {
    const res = await this.authed('read telegram credentials', Date.now() + this.timeoutMs, (ro) =>
      this.vault.read(this.kvPath, ro),
    );
    if (!res.ok) {
      if (res.failure.status === 404) throw new VaultSecretNotFoundError(this.kvPath);
      throw this.unavailable(res.failure, 'read telegram credentials');
    }
    const data = field(res.body, 'data', 'data');
    const apiId = numberField(field(data, 'api_id'));
    const apiHash = field(data, 'api_hash');
    if (
      apiId === undefined ||
      !Number.isSafeInteger(apiId) ||
      typeof apiHash !== 'string' ||
      apiHash === ''
    ) {
      throw new CipherNotConfiguredError(
        `Vault secret ${this.kvPath} must hold api_id (integer) and api_hash (string)`,
      );
    }
    const value = { apiId, apiHash };
    this.kvCache = { value, expiresAt: Date.now() + this.kvCacheTtlMs };
    return value;
  }
}
