/**
 * The Vault client every Vault feature (transit cipher, KV reader, health probe) shares: HTTP transport
 * through node-vault (the only file that imports it), authentication and token upkeep.
 *
 * - Auth: a token, AppRole or Kubernetes login. The token is renewed (renew-self) at 2/3 of its TTL; when
 *   renewal fails, or the TTL is capped by max_ttl, or a call gets 403, the configured login runs again (the
 *   403'd call is retried once).
 * - Every call is bounded by a deadline with our own timer: node-vault forwards `timeout` to axios, whose
 *   timer is wall-clock only until the response headers arrive (then only socket idleness counts), so a slowly
 *   trickled body would not be bounded. The axios timeout is still passed so stalled sockets get torn down.
 * - One kept-alive connection pool. node-vault's `debug` output (which logs request bodies, i.e. plaintext) is
 *   switched off; raw client errors are never rethrown or attached (see vault-response.ts).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import nodeVault from 'node-vault';
import { withTimeout } from '../common/util/with-timeout';
import type { DependencyTls } from '../config/tls-config';
import { describeTlsFailure } from '../tls/tls-failure';
import { tlsConnectionOptions } from '../tls/tls-options';
import { canLogin, checkAuthOptions, loginCall, type VaultAuthOptions } from './vault-auth';
import {
  apiFailureOf,
  type CallResult,
  field,
  networkReason,
  numberField,
  unavailableError,
} from './vault-response';
import { CipherNotConfiguredError, VaultUnavailableError } from './vault.errors';

export interface VaultLogger {
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

export interface VaultClientOptions extends VaultAuthOptions {
  /** e.g. http://127.0.0.1:8200 */
  url: string;
  namespace?: string;
  /** Bound for every operation (and each Vault round trip), default 5000. */
  timeoutMs?: number;
  /** Fraction of the token TTL after which it is renewed. Default 2/3. */
  renewFraction?: number;
  /** VAULT_TLS_* (used with an https:// URL): CA, client certificate, server name, verification. */
  tls?: DependencyTls;
  /** Called with each new TLS connection once its handshake is done (the server's certificate, for metrics). */
  onTlsConnection?: (socket: TLSSocket) => void;
  logger?: VaultLogger;
  /** Called after every Vault round trip (for metrics). */
  onVaultCall?: (event: VaultCallEvent) => void;
}

type NodeVaultClient = ReturnType<typeof nodeVault>;

interface RequestOptions {
  timeout: number;
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
}

type Request = (options: RequestOptions) => Promise<unknown>;

const MIN_MAINTENANCE_DELAY_MS = 500;

export class VaultClient {
  readonly timeoutMs: number;
  readonly logger: VaultLogger | undefined;

  private readonly vault: NodeVaultClient;
  /** A token-less client for logins: Vault may refuse a login that carries a stale token. */
  private readonly loginClient: NodeVaultClient;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent: HttpsAgent;
  private readonly renewFraction: number;

  private loginPromise: Promise<void> | undefined;
  private tokenTimer: NodeJS.Timeout | undefined;
  private tokenBaseTtl = 0;
  private tokenExpiresAt: number | undefined;
  private stopped = false;

  constructor(private readonly options: VaultClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new CipherNotConfiguredError('VAULT_URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CipherNotConfiguredError('VAULT_URL must be an http(s) URL');
    }
    checkAuthOptions(options);
    this.timeoutMs = options.timeoutMs ?? 5000;
    if (!(this.timeoutMs > 0)) throw new CipherNotConfiguredError('Vault timeout must be positive');
    this.renewFraction = options.renewFraction ?? 2 / 3;
    if (!(this.renewFraction > 0 && this.renewFraction < 1)) {
      throw new CipherNotConfiguredError('Vault token renew fraction must be between 0 and 1');
    }
    this.logger = options.logger;
    this.httpsAgent = new HttpsAgent({
      keepAlive: true,
      ...(options.tls ? tlsConnectionOptions(options.tls) : {}),
    });
    const onTls = options.onTlsConnection;
    if (onTls) {
      // 'keylog' is emitted by the agent for each of its TLS connections: observe each socket once.
      const seen = new WeakSet<TLSSocket>();
      this.httpsAgent.on('keylog', (_line: Buffer, socket: TLSSocket) => {
        if (seen.has(socket)) return;
        seen.add(socket);
        if (socket.getPeerCertificate()?.valid_to) onTls(socket);
        else socket.once('secureConnect', () => onTls(socket));
      });
    }
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

  /** The deadline of an operation starting now. */
  deadline(): number {
    return Date.now() + this.timeoutMs;
  }

  /** Token upkeep runs again after `stop()`. */
  resume(): void {
    this.stopped = false;
  }

  /** Clears timers and closes pooled connections. */
  stop(): void {
    this.stopped = true;
    this.clearTokenTimer();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * Makes sure there is a token whose renewal is scheduled: logs in when there is none, or looks a configured
   * token up (once) to learn its TTL.
   */
  async authenticate(): Promise<void> {
    if (!this.vault.token) await this.login();
    else if (this.tokenTimer === undefined && this.tokenExpiresAt === undefined) await this.inspectToken();
  }

  /** GET `path` with the token (see `authed`). */
  read(operation: string, path: string, deadline: number): Promise<CallResult> {
    return this.authed(operation, deadline, (ro) => this.vault.read(path, ro));
  }

  /** POST `data` to `path` with the token (see `authed`). */
  write(
    operation: string,
    path: string,
    data: Record<string, unknown>,
    deadline: number,
  ): Promise<CallResult> {
    return this.authed(operation, deadline, (ro) => this.vault.write(path, data, ro));
  }

  /** `sys/health` (no token needed); node-vault resolves it for every status. */
  sysHealth(deadline: number): Promise<CallResult> {
    return this.send('health', deadline, (ro) => this.vault.health({ requestOptions: ro }));
  }

  /** `promise`, or VaultUnavailableError('timeout') once `deadline` has passed. */
  withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      promise.catch(() => undefined);
      return Promise.reject(new VaultUnavailableError('timeout'));
    }
    return withTimeout(promise, remaining, () => new VaultUnavailableError('timeout'));
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
        throw new VaultUnavailableError(err.reason, err.statusCode, operation, err.detail);
      const failure = apiFailureOf(err);
      if (failure) {
        status = failure.status;
        return { ok: false, failure };
      }
      const tlsFailure = this.options.tls ? describeTlsFailure(this.options.tls, err) : undefined;
      if (tlsFailure) throw new VaultUnavailableError('tls', undefined, operation, tlsFailure);
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

  private canLogin(): boolean {
    return canLogin(this.options);
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
    const deadline = this.deadline();
    this.loginClient.token = '';
    const { method, operation, run } = await loginCall(this.options);
    const res = await this.send(operation, deadline, (ro) => run(this.loginClient, ro));
    this.loginClient.token = '';
    if (!res.ok) {
      const { status } = res.failure;
      if (status === 400 || status === 401 || status === 403) {
        throw new VaultUnavailableError('login_failed', status, `${method} login`);
      }
      throw unavailableError(res.failure, `${method} login`);
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
    const res = await this.send('token lookup', this.deadline(), (ro) =>
      this.vault.tokenLookupSelf({ requestOptions: ro }),
    );
    if (!res.ok) {
      if (res.failure.status === 403 && this.canLogin()) return this.login();
      throw unavailableError(res.failure, 'token lookup');
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
      const res = await this.send('token renew', this.deadline(), (ro) =>
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
      throw unavailableError(res.failure, 'token renew');
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
}
