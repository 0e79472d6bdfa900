/**
 * A fake HashiCorp Vault for tests: a real HTTP server on 127.0.0.1 speaking the documented subset of the
 * Vault HTTP API this service uses, with a control API for tests (seal, slow, down, forbidden, tokens...).
 *
 * Implemented (paths below /v1/):
 *   GET|HEAD sys/health (standbyok, perfstandbyok, activecode, standbycode, drsecondarycode,
 *            performancestandbycode, sealedcode, uninitcode), GET sys/seal-status
 *   GET auth/token/lookup-self, POST auth/token/renew-self, POST auth/token/revoke-self
 *   POST auth/approle/login, POST auth/kubernetes/login
 *   transit: POST|GET|DELETE keys/:name, LIST keys, POST keys/:name/rotate, POST keys/:name/config,
 *            POST encrypt/:name, decrypt/:name, rewrap/:name (single and batch_input)
 *   kv v2 at secret/: GET|POST secret/data/:path
 *
 * Behaviour follows the Vault source (http/handler.go, sdk/logical/response_util.go, builtin/logical/transit,
 * vault/token_store.go, builtin/credential/approle): errors are `{"errors":[...]}`; a missing, unknown or
 * expired token gets 403 `permission denied`; a sealed or uninitialised Vault answers 503 `Vault is sealed`
 * everywhere except sys/health and sys/seal-status; a read of nothing is 404 `{"errors":[]}`; transit batch
 * encrypt/decrypt with a failed item answers 400 with the whole response as body (no `errors`), rewrap does not;
 * an AEAD failure in rewrap is a 500.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { isRecord } from '../../../src/common/util/is-record';
import {
  decodeGoBase64,
  TransitAuthError,
  TransitEngine,
  type TransitKey,
  type TransitKeyType,
  TransitUserError,
} from './transit-engine';

export type FakeVaultState =
  'active' | 'standby' | 'perf_standby' | 'dr_secondary' | 'sealed' | 'uninitialized';

/** Deny `methods` (all when omitted) on paths starting with `path` (relative to /v1/, e.g. 'transit/keys/'). */
export interface DenyRule {
  path: string;
  methods?: string[];
}

export interface CreateTokenOptions {
  /** Token id; random when omitted. */
  id?: string;
  /** Seconds; 0 means the token never expires (like a root token). Default 3600. */
  ttl?: number;
  /** Seconds from creation after which the token cannot live, renewals included. Default 768h. */
  maxTtl?: number;
  renewable?: boolean;
  policies?: string[];
  deny?: DenyRule[];
  displayName?: string;
  path?: string;
  meta?: Record<string, string> | null;
}

export interface AppRoleOptions {
  roleId: string;
  secretId: string;
  roleName?: string;
  /** Seconds, default 1200. */
  tokenTtl?: number;
  tokenMaxTtl?: number;
  policies?: string[];
  deny?: DenyRule[];
}

export interface KubernetesRoleOptions {
  role: string;
  /** The service-account JWT that this role accepts. */
  jwt: string;
  serviceAccountName?: string;
  tokenTtl?: number;
  tokenMaxTtl?: number;
  policies?: string[];
  deny?: DenyRule[];
}

export interface SlowOptions {
  /**
   * 'delay' (default): nothing is sent for `ms`, then the answer. 'trickle': headers at once, then the body a
   * byte at a time spread over `ms` (defeats socket-idle timeouts).
   */
  mode?: 'delay' | 'trickle';
  /** Only requests whose path (relative to /v1/) starts with one of these. */
  paths?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

interface TokenRecord {
  id: string;
  accessor: string;
  policies: string[];
  deny: DenyRule[];
  displayName: string;
  path: string;
  meta: Record<string, string> | null;
  creationTime: number;
  creationTtl: number;
  explicitMaxTtl: number;
  expiresAt: number | null;
  maxExpiresAt: number | null;
  renewable: boolean;
  revoked: boolean;
}

interface AppRole extends Required<Omit<AppRoleOptions, 'tokenMaxTtl'>> {
  tokenMaxTtl?: number;
}

interface KvEntry {
  data: Record<string, unknown>;
  version: number;
  createdTime: string;
}

interface Reply {
  status: number;
  body?: unknown;
}

const SYSTEM_MAX_TTL = 768 * 3600;
const VERSION = '1.17.2';
const KEY_NAME = /^\w(?:[\w\-.@]*\w)?$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors[0] ?? String(status));
  }
}

function errorReply(status: number, ...errors: string[]): Reply {
  return { status, body: { errors } };
}

/** Go's `strconv.ParseBool`. */
function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** Vault's TypeInt / TypeDurationSecond field parsing (numbers, numeric strings, Go durations). */
function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^-?\d+$/.test(value)) return Number(value);
  const match = /^(\d+)(s|m|h)$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
}

function parseIntField(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function parseBoolField(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseGoBool(value);
  return undefined;
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

/** Serve over HTTPS: the server's certificate and key (PEM), and for mutual TLS the CA clients must chain to. */
export interface FakeVaultTls {
  cert: Buffer | string;
  key: Buffer | string;
  /** With `ca`: a client certificate signed by it is required. */
  ca?: Buffer | string;
}

/** The TLS parameters of one HTTPS connection, as the fake saw them. */
export interface TlsHandshake {
  protocol: string | null;
  cipher: string;
  clientCertificate: string | undefined;
}

export class FakeVault {
  readonly transit = new TransitEngine();
  readonly rootToken: string;
  /** One entry per HTTPS connection (empty over HTTP). */
  readonly handshakes: TlsHandshake[] = [];
  private readonly tls: FakeVaultTls | undefined;

  private server: Server;
  private portNumber = 0;
  private listening = false;
  private state: FakeVaultState = 'active';
  private slow: { ms: number; options: SlowOptions } | undefined;
  private forbidden = false;
  private upsertAllowed = true;
  /** Transit keys `loseTransitKey` took away, kept for `restoreTransitKey`. */
  private readonly lostKeys = new Map<string, TransitKey>();
  private clockOffsetMs = 0;
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly appRoles = new Map<string, AppRole>();
  private readonly kubernetesRoles = new Map<string, KubernetesRoleOptions>();
  private readonly kv = new Map<string, KvEntry>();
  private readonly log: RecordedRequest[] = [];
  private connectionsOpened = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(rootToken: string, tls?: FakeVaultTls) {
    this.rootToken = rootToken;
    this.tls = tls;
    this.server = this.createHttpServer();
    this.createToken({
      id: rootToken,
      ttl: 0,
      renewable: false,
      policies: ['root'],
      path: 'auth/token/root',
    });
    this.tokens.get(rootToken)!.displayName = 'root';
  }

  /** Starts a fake Vault on 127.0.0.1 with a random port (HTTPS with `tls`). */
  static async start(options: { rootToken?: string; tls?: FakeVaultTls } = {}): Promise<FakeVault> {
    const vault = new FakeVault(options.rootToken ?? `hvs.root-${randomUUID()}`, options.tls);
    await vault.listen(0);
    return vault;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.portNumber}`;
  }

  get port(): number {
    return this.portNumber;
  }

  /** Closes the server, every open connection and every pending timer. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.closeServer();
  }

  /** Fault: the process is gone. New connections are refused, open ones are cut. `comeBack()` undoes it. */
  async goDown(): Promise<void> {
    await this.stop();
  }

  /** Listens again on the same port after `goDown()`. */
  async comeBack(): Promise<void> {
    if (this.listening) return;
    this.server = this.createHttpServer();
    await this.listen(this.portNumber);
  }

  setState(state: FakeVaultState): void {
    this.state = state;
  }

  getState(): FakeVaultState {
    return this.state;
  }

  seal(): void {
    this.state = 'sealed';
  }

  unseal(): void {
    this.state = 'active';
  }

  /** Fault: answer slowly (see SlowOptions). `setSlow(0)` turns it off. */
  setSlow(ms: number, options: SlowOptions = {}): void {
    this.slow = ms > 0 ? { ms, options } : undefined;
  }

  /** Fault: every token-authenticated request gets 403 permission denied (as if the policy were revoked). */
  setForbidden(forbidden: boolean): void {
    this.forbidden = forbidden;
  }

  /** Whether encrypt to a missing key creates it (Vault's upsert with the `create` capability). Default true. */
  setUpsertAllowed(allowed: boolean): void {
    this.upsertAllowed = allowed;
  }

  /**
   * Fault: the transit key is gone, as in a Vault that lost its storage, and the policy may not create
   * it again: reading it answers 404, creating it 403, encrypt / decrypt / rewrap 400 `encryption key
   * not found`. `restoreTransitKey` puts the same key (every version) back.
   */
  loseTransitKey(name: string): void {
    const key = this.transit.get(name);
    if (!key) throw new Error(`fake vault: no transit key ${name}`);
    this.lostKeys.set(name, key);
    this.transit.delete(name);
  }

  restoreTransitKey(name: string): void {
    const key = this.lostKeys.get(name);
    if (!key) return;
    this.lostKeys.delete(name);
    this.transit.restore(key);
  }

  /** Moves the fake's clock forward (token expiry) without waiting. */
  advanceClock(seconds: number): void {
    this.clockOffsetMs += seconds * 1000;
  }

  createToken(options: CreateTokenOptions = {}): string {
    const id = options.id ?? `hvs.${randomUUID().replace(/-/g, '')}`;
    const now = this.now();
    const ttl = options.ttl ?? 3600;
    const maxTtl = options.maxTtl ?? SYSTEM_MAX_TTL;
    this.tokens.set(id, {
      id,
      accessor: randomUUID(),
      policies: options.policies ?? ['default'],
      deny: options.deny ?? [],
      displayName: options.displayName ?? 'token',
      path: options.path ?? 'auth/token/create',
      meta: options.meta ?? null,
      creationTime: now,
      creationTtl: ttl,
      explicitMaxTtl: options.maxTtl ?? 0,
      expiresAt: ttl > 0 ? now + Math.min(ttl, maxTtl) * 1000 : null,
      maxExpiresAt: ttl > 0 ? now + maxTtl * 1000 : null,
      renewable: options.renewable ?? ttl > 0,
      revoked: false,
    });
    return id;
  }

  revokeToken(token: string): void {
    const record = this.tokens.get(token);
    if (record) record.revoked = true;
  }

  /** Makes the token expired now (it stays known, but every use gets 403). */
  expireToken(token: string): void {
    const record = this.tokens.get(token);
    if (record) record.expiresAt = this.now() - 1;
  }

  /** Remaining TTL in seconds (undefined for unknown tokens, Infinity for non-expiring ones). */
  tokenTtl(token: string): number | undefined {
    const record = this.tokens.get(token);
    if (!record) return undefined;
    if (record.expiresAt === null) return Infinity;
    return Math.max(0, Math.floor((record.expiresAt - this.now()) / 1000));
  }

  isTokenValid(token: string): boolean {
    const record = this.tokens.get(token);
    return record !== undefined && this.valid(record);
  }

  /** Tokens issued by a login (approle/kubernetes), newest last. */
  issuedTokens(path?: string): string[] {
    return [...this.tokens.values()]
      .filter(
        (t) =>
          t.path.startsWith('auth/') && t.path !== 'auth/token/root' && (!path || t.path.startsWith(path)),
      )
      .map((t) => t.id);
  }

  addAppRole(options: AppRoleOptions): void {
    this.appRoles.set(options.roleId, {
      roleName: options.roleName ?? 'app',
      roleId: options.roleId,
      secretId: options.secretId,
      tokenTtl: options.tokenTtl ?? 1200,
      tokenMaxTtl: options.tokenMaxTtl,
      policies: options.policies ?? ['default'],
      deny: options.deny ?? [],
    });
  }

  addKubernetesRole(options: KubernetesRoleOptions): void {
    this.kubernetesRoles.set(options.role, options);
  }

  /** Writes a KV v2 secret at `secret/data/<path>` (a new version each time). */
  putKv(path: string, data: Record<string, unknown>): void {
    const previous = this.kv.get(path);
    this.kv.set(path, {
      data: { ...data },
      version: (previous?.version ?? 0) + 1,
      createdTime: this.isoNow(),
    });
  }

  deleteKv(path: string): void {
    this.kv.delete(path);
  }

  /** Requests seen, path relative to /v1/ without the query string. */
  requests(): readonly RecordedRequest[] {
    return this.log;
  }

  /** How many requests hit exactly `path` (relative to /v1/), optionally with `method`; all when no path. */
  requestCount(path?: string, method?: string): number {
    return this.log.filter((r) => (path === undefined || r.path === path) && (!method || r.method === method))
      .length;
  }

  /** TCP connections accepted since the start or the last `resetRequests()` (a keep-alive client reuses one). */
  connectionCount(): number {
    return this.connectionsOpened;
  }

  /** Clears the request log and the connection count. */
  resetRequests(): void {
    this.log.length = 0;
    this.connectionsOpened = 0;
  }

  // ---------------------------------------------------------------------------------------------------------

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  private valid(record: TokenRecord): boolean {
    if (record.revoked) return false;
    return record.expiresAt === null || this.now() < record.expiresAt;
  }

  private createHttpServer(): Server {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = this.tls;
    const server: Server = tls
      ? createHttpsServer(
          {
            cert: tls.cert,
            key: tls.key,
            ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
          },
          handler,
        )
      : createServer(handler);
    server.on('secureConnection', (socket: TLSSocket) => {
      this.handshakes.push({
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().standardName,
        clientCertificate: [socket.getPeerCertificate()?.subject?.CN ?? []].flat()[0],
      });
    });
    // Vault (Go net/http) sends no Keep-Alive hint and keeps idle connections for its idle_timeout (5 min). Node
    // would announce `Keep-Alive: timeout=N`, and its client agent refuses to reuse a socket whose hint is <= 1 s:
    // 0 sends no hint and keeps idle connections until `stop()`/`goDown()` closes them.
    server.keepAliveTimeout = 0;
    server.on('connection', () => {
      this.connectionsOpened += 1;
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.portNumber = (this.server.address() as AddressInfo).port;
        this.listening = true;
        resolve();
      });
    });
  }

  private closeServer(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    const server = this.server;
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private schedule(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.startsWith('/v1/') ? url.pathname.slice(4) : url.pathname;
    const raw = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', () => resolve(''));
    });
    let reply: Reply;
    try {
      reply = url.pathname.startsWith('/v1/')
        ? this.route(method, path, url.searchParams, req, raw)
        : this.notFound();
    } catch (err) {
      reply =
        err instanceof HttpError
          ? errorReply(err.status, ...err.errors)
          : errorReply(500, err instanceof Error ? err.message : String(err));
    }
    this.log.push({ method, path, status: reply.status });
    const body = reply.body === undefined || method === 'HEAD' ? '' : JSON.stringify(reply.body);
    const slow = this.slow;
    const applies = slow && (!slow.options.paths || slow.options.paths.some((p) => path.startsWith(p)));
    const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
    if (!slow || !applies) {
      res.writeHead(reply.status, headers).end(body);
    } else if ((slow.options.mode ?? 'delay') === 'delay') {
      this.schedule(slow.ms, () => {
        if (!res.destroyed) res.writeHead(reply.status, headers).end(body);
      });
    } else {
      res.writeHead(reply.status, headers);
      res.flushHeaders();
      const bytes = Buffer.from(body);
      const step = Math.max(1, Math.floor(slow.ms / Math.max(1, bytes.length)));
      let i = 0;
      const next = (): void => {
        if (res.destroyed) return;
        if (i >= bytes.length) {
          res.end();
          return;
        }
        res.write(bytes.subarray(i, i + 1));
        i += 1;
        this.schedule(step, next);
      };
      this.schedule(step, next);
    }
  }

  private notFound(): Reply {
    return errorReply(404);
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    req: IncomingMessage,
    raw: string,
  ): Reply {
    if (path === 'sys/health') {
      if (method !== 'GET' && method !== 'HEAD') return errorReply(405);
      return this.health(query);
    }
    if (path === 'sys/seal-status' && method === 'GET') return this.sealStatus();
    if (this.state === 'sealed' || this.state === 'uninitialized') return errorReply(503, 'Vault is sealed');

    const body = this.parseBody(raw);
    const isList = method === 'LIST' || (method === 'GET' && query.get('list') === 'true');
    const write = method === 'POST' || method === 'PUT';

    if (path === 'auth/approle/login') return write ? this.approleLogin(body) : this.unsupported();
    if (path === 'auth/kubernetes/login') return write ? this.kubernetesLogin(body) : this.unsupported();

    const token = this.authenticate(req, method, path);

    if (path === 'auth/token/lookup-self')
      return method === 'GET' || write ? this.lookupSelf(token) : this.unsupported();
    if (path === 'auth/token/renew-self') return write ? this.renewSelf(token, body) : this.unsupported();
    if (path === 'auth/token/revoke-self') {
      if (!write) return this.unsupported();
      token.revoked = true;
      return { status: 204 };
    }

    if (path === 'transit/keys' && isList) return this.listKeys();
    const lost = this.lostKeyReply(path, write);
    if (lost) return lost;
    let match = /^transit\/keys\/([^/]+)$/.exec(path);
    if (match && this.validName(match[1])) {
      if (method === 'GET' && !isList) return this.readKey(match[1]);
      if (write) return this.createKey(match[1], body);
      if (method === 'DELETE') return this.deleteKey(match[1]);
      return this.unsupported();
    }
    match = /^transit\/keys\/([^/]+)\/(rotate|config)$/.exec(path);
    if (match && this.validName(match[1])) {
      if (!write) return this.unsupported();
      return match[2] === 'rotate' ? this.rotateKey(match[1]) : this.configKey(match[1], body);
    }
    match = /^transit\/(encrypt|decrypt|rewrap)\/([^/]+)$/.exec(path);
    if (match && this.validName(match[2])) {
      if (!write) return this.unsupported();
      if (match[1] === 'encrypt') return this.encrypt(match[2], body);
      if (match[1] === 'decrypt') return this.decrypt(match[2], body);
      return this.rewrap(match[2], body);
    }
    match = /^secret\/data\/(.+)$/.exec(path);
    if (match) {
      if (method === 'GET') return this.kvRead(match[1]);
      if (write) return this.kvWrite(match[1], body);
      return this.unsupported();
    }
    return this.notFound();
  }

  private validName(name: string): boolean {
    return KEY_NAME.test(name);
  }

  private unsupported(): Reply {
    return errorReply(405, '1 error occurred:\n\t* unsupported operation\n\n');
  }

  private parseBody(raw: string): Record<string, unknown> {
    if (raw.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      throw new HttpError(400, [
        `failed to parse JSON input: ${err instanceof Error ? err.message : 'invalid'}`,
      ]);
    }
    if (!isRecord(parsed)) throw new HttpError(400, ['failed to parse JSON input: not a JSON object']);
    return parsed;
  }

  private authenticate(req: IncomingMessage, method: string, path: string): TokenRecord {
    const header = req.headers['x-vault-token'];
    const id = Array.isArray(header) ? header[0] : header;
    const record = id ? this.tokens.get(id) : undefined;
    if (!record || !this.valid(record) || this.forbidden) throw new HttpError(403, ['permission denied']);
    const denied = record.deny.some(
      (rule) => path.startsWith(rule.path) && (!rule.methods || rule.methods.includes(method)),
    );
    if (denied) throw new HttpError(403, ['permission denied']);
    return record;
  }

  /** A Vault response envelope (`logical.HTTPResponse`). */
  private envelope(
    data: unknown,
    extra: { auth?: unknown; warnings?: string[]; mountType?: string } = {},
  ): Record<string, unknown> {
    return {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data,
      wrap_info: null,
      warnings: extra.warnings && extra.warnings.length > 0 ? extra.warnings : null,
      auth: extra.auth ?? null,
      mount_type: extra.mountType ?? '',
    };
  }

  private ok(data: unknown, extra: { auth?: unknown; warnings?: string[]; mountType?: string } = {}): Reply {
    return { status: 200, body: this.envelope(data, extra) };
  }

  // --- sys ---------------------------------------------------------------------------------------------------

  private healthBody(): Record<string, unknown> {
    const initialized = this.state !== 'uninitialized';
    const sealed = this.state === 'sealed' || this.state === 'uninitialized';
    const body: Record<string, unknown> = {
      initialized,
      sealed,
      standby: sealed || this.state === 'standby' || this.state === 'perf_standby',
      performance_standby: this.state === 'perf_standby',
      replication_performance_mode: sealed ? 'unknown' : 'disabled',
      replication_dr_mode: sealed ? 'unknown' : this.state === 'dr_secondary' ? 'secondary' : 'disabled',
      server_time_utc: Math.floor(this.now() / 1000),
      version: VERSION,
      enterprise: false,
      echo_duration_ms: 0,
      clock_skew_ms: 0,
      replication_primary_canary_age_ms: 0,
    };
    if (!sealed) {
      body.cluster_name = 'vault-cluster-fake';
      body.cluster_id = '00af5aa8-c87d-b5fc-e82e-97cd8dfaf731';
    }
    return body;
  }

  /** http/sys_health.go `getSysHealth`. */
  private health(query: URLSearchParams): Reply {
    const flag = (name: string): boolean => {
      if (!query.has(name)) return false;
      const parsed = parseGoBool(query.get(name) ?? '');
      if (parsed === undefined) {
        throw new HttpError(400, [
          `bad value for ${name} parameter: strconv.ParseBool: parsing "${query.get(name)}"`,
        ]);
      }
      return parsed;
    };
    const code = (name: string, fallback: number): number => {
      if (!query.has(name)) return fallback;
      const value = query.get(name) ?? '';
      if (!/^-?\d+$/.test(value)) {
        throw new HttpError(400, [
          `unable to parse ${name}: strconv.Atoi: parsing "${value}": invalid syntax`,
        ]);
      }
      return Number(value);
    };
    const standbyOk = flag('standbyok');
    const perfStandbyOk = flag('perfstandbyok');
    const activeCode = code('activecode', 200);
    let status = activeCode;
    switch (this.state) {
      case 'uninitialized':
        status = code('uninitcode', 501);
        break;
      case 'sealed':
        status = code('sealedcode', 503);
        break;
      case 'dr_secondary':
        status = code('drsecondarycode', 472);
        break;
      case 'perf_standby':
        if (!perfStandbyOk) status = code('performancestandbycode', 473);
        break;
      case 'standby':
        if (!standbyOk) status = code('standbycode', 429);
        break;
      default:
        break;
    }
    return { status, body: this.healthBody() };
  }

  private sealStatus(): Reply {
    const health = this.healthBody();
    return {
      status: 200,
      body: {
        type: 'shamir',
        initialized: health.initialized,
        sealed: health.sealed,
        t: 1,
        n: 1,
        progress: 0,
        nonce: '',
        version: VERSION,
        migration: false,
        recovery_seal: false,
        storage_type: 'inmem',
        ...(health.cluster_name ? { cluster_name: health.cluster_name, cluster_id: health.cluster_id } : {}),
      },
    };
  }

  // --- auth --------------------------------------------------------------------------------------------------

  private authBlock(record: TokenRecord, ttl: number, metadata: Record<string, string> | null): unknown {
    return {
      client_token: record.id,
      accessor: record.accessor,
      policies: record.policies,
      token_policies: record.policies,
      metadata,
      lease_duration: ttl,
      renewable: record.renewable,
      entity_id: '',
      token_type: 'service',
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    };
  }

  private issue(
    path: string,
    ttl: number,
    maxTtl: number | undefined,
    policies: string[],
    deny: DenyRule[],
    meta: Record<string, string>,
  ): Reply {
    const id = this.createToken({
      ttl,
      maxTtl,
      policies,
      deny,
      renewable: true,
      path,
      meta,
      displayName: path,
    });
    const record = this.tokens.get(id)!;
    return this.ok(null, { auth: this.authBlock(record, ttl, meta) });
  }

  /** builtin/credential/approle path_login.go. */
  private approleLogin(body: Record<string, unknown>): Reply {
    const roleId = typeof body.role_id === 'string' ? body.role_id.trim() : '';
    if (!roleId) return errorReply(400, 'missing role_id');
    const role = this.appRoles.get(roleId);
    if (!role) return errorReply(400, 'invalid role or secret ID');
    const secretId = typeof body.secret_id === 'string' ? body.secret_id.trim() : '';
    if (!secretId) return errorReply(400, 'missing secret_id');
    if (secretId !== role.secretId) return errorReply(400, 'invalid role or secret ID');
    return this.issue(`auth/approle/login`, role.tokenTtl, role.tokenMaxTtl, role.policies, role.deny, {
      role_name: role.roleName,
    });
  }

  /** vault-plugin-auth-kubernetes path_login.go. */
  private kubernetesLogin(body: Record<string, unknown>): Reply {
    const roleName = typeof body.role === 'string' ? body.role : '';
    if (!roleName) return errorReply(400, 'missing role');
    const jwt = typeof body.jwt === 'string' ? body.jwt : '';
    if (!jwt) return errorReply(400, 'missing jwt');
    const role = this.kubernetesRoles.get(roleName);
    if (!role) return errorReply(400, `invalid role name "${roleName}"`);
    if (jwt !== role.jwt) return errorReply(403, 'permission denied');
    return this.issue(
      'auth/kubernetes/login',
      role.tokenTtl ?? 1200,
      role.tokenMaxTtl,
      role.policies ?? ['default'],
      role.deny ?? [],
      {
        role: roleName,
        service_account_name: role.serviceAccountName ?? 'default',
        service_account_namespace: 'default',
      },
    );
  }

  private remainingTtl(record: TokenRecord): number {
    if (record.expiresAt === null) return 0;
    return Math.max(0, Math.floor((record.expiresAt - this.now()) / 1000));
  }

  private lookupSelf(record: TokenRecord): Reply {
    return this.ok({
      accessor: record.accessor,
      creation_time: Math.floor(record.creationTime / 1000),
      creation_ttl: record.creationTtl,
      display_name: record.displayName,
      entity_id: '',
      expire_time: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
      explicit_max_ttl: record.explicitMaxTtl,
      id: record.id,
      issue_time: new Date(record.creationTime).toISOString(),
      meta: record.meta,
      num_uses: 0,
      orphan: true,
      path: record.path,
      policies: record.policies,
      renewable: record.renewable,
      ttl: this.remainingTtl(record),
      type: 'service',
    });
  }

  /** vault/token_store.go handleRenewSelf → expiration.RenewToken with `framework.LeaseExtend` capping. */
  private renewSelf(record: TokenRecord, body: Record<string, unknown>): Reply {
    if (record.expiresAt === null || !record.renewable) return errorReply(400, 'lease is not renewable');
    const increment = body.increment === undefined ? 0 : parseDurationSeconds(body.increment);
    if (increment === undefined) return errorReply(400, 'invalid increment');
    const requested = increment > 0 ? increment : record.creationTtl;
    const now = this.now();
    const maxRemaining = Math.max(0, Math.floor(((record.maxExpiresAt ?? Infinity) - now) / 1000));
    const warnings: string[] = [];
    let ttl = requested;
    if (ttl > maxRemaining) {
      warnings.push(
        `TTL of "${formatDuration(requested)}" exceeded the effective max_ttl of "${formatDuration(maxRemaining)}"; ` +
          'TTL value is capped accordingly',
      );
      ttl = maxRemaining;
    }
    record.expiresAt = now + ttl * 1000;
    return this.ok(null, { auth: this.authBlock(record, ttl, record.meta), warnings });
  }

  // --- transit -----------------------------------------------------------------------------------------------

  /** The answer for a request on a key `loseTransitKey` took away, else undefined. */
  private lostKeyReply(path: string, write: boolean): Reply | undefined {
    const match = /^transit\/(keys|encrypt|decrypt|rewrap)\/([^/]+)/.exec(path);
    if (!match || !this.lostKeys.has(match[2])) return undefined;
    if (match[1] !== 'keys') return errorReply(400, 'encryption key not found');
    return write ? errorReply(403, 'permission denied') : this.notFound();
  }

  private listKeys(): Reply {
    const names = this.transit.names();
    if (names.length === 0) return this.notFound();
    return this.ok({ keys: names });
  }

  private readKey(name: string): Reply {
    const key = this.transit.get(name);
    return key ? this.ok(this.transit.describe(key)) : this.notFound();
  }

  /** path_keys.go pathPolicyWrite. */
  private createKey(name: string, body: Record<string, unknown>): Reply {
    const type = body.type === undefined ? 'aes256-gcm96' : body.type;
    if (type !== 'aes256-gcm96' && type !== 'aes128-gcm96') {
      return typeof type === 'string' &&
        /^(chacha20-poly1305|ed25519|ecdsa-p(256|384|521)|rsa-(2048|3072|4096)|hmac)$/.test(type)
        ? errorReply(400, `fake vault: key type ${type} is not implemented`)
        : errorReply(400, `unknown key type ${String(type)}`);
    }
    const derived = parseBoolField(body.derived ?? false) ?? false;
    const convergent = parseBoolField(body.convergent_encryption ?? false) ?? false;
    if (convergent && !derived)
      return errorReply(400, 'convergent encryption requires derivation to be enabled');
    if (convergent) return errorReply(400, 'fake vault: convergent encryption is not implemented');
    const key = this.transit.create(name, { type: type as TransitKeyType, derived });
    if (parseBoolField(body.exportable) === true) key.exportable = true;
    if (parseBoolField(body.allow_plaintext_backup) === true) key.allowPlaintextBackup = true;
    return this.ok(this.transit.describe(key));
  }

  private deleteKey(name: string): Reply {
    const key = this.transit.get(name);
    if (!key) return { status: 204 };
    if (!key.deletionAllowed) {
      return errorReply(400, `error deleting policy ${name}: deletion is not allowed for this key`);
    }
    this.transit.delete(name);
    return { status: 204 };
  }

  private rotateKey(name: string): Reply {
    const key = this.transit.get(name);
    if (!key) return errorReply(400, 'key not found');
    return this.ok(this.transit.describe(this.transit.rotate(name)));
  }

  /** path_keys_config.go pathKeysConfigWrite. */
  private configKey(name: string, body: Record<string, unknown>): Reply {
    const key = this.transit.get(name);
    if (!key) return errorReply(400, `no existing key named ${name} could be found`);
    const warnings: string[] = [];
    if (body.min_decryption_version !== undefined) {
      let min = parseIntField(body.min_decryption_version);
      if (min === undefined) return errorReply(400, 'invalid min_decryption_version');
      if (min < 0) return errorReply(400, 'min decryption version cannot be negative');
      if (min === 0) {
        min = 1;
        warnings.push('since Vault 0.3, transit key numbering starts at 1; forcing minimum to 1');
      }
      if (min !== key.minDecryptionVersion && min > key.latestVersion) {
        return errorReply(
          400,
          `cannot set min decryption version of ${min}, latest key version is ${key.latestVersion}`,
        );
      }
      key.minDecryptionVersion = min;
    }
    if (body.min_encryption_version !== undefined) {
      const min = parseIntField(body.min_encryption_version);
      if (min === undefined) return errorReply(400, 'invalid min_encryption_version');
      if (min < 0) return errorReply(400, 'min encryption version cannot be negative');
      if (min !== key.minEncryptionVersion && min > key.latestVersion) {
        return errorReply(
          400,
          `cannot set min encryption version of ${min}, latest key version is ${key.latestVersion}`,
        );
      }
      key.minEncryptionVersion = min;
    }
    if (key.minEncryptionVersion > 0 && key.minEncryptionVersion < key.minDecryptionVersion) {
      return errorReply(
        400,
        `cannot set min encryption/decryption values; min encryption version of ${key.minEncryptionVersion} ` +
          `must be greater than or equal to min decryption version of ${key.minDecryptionVersion}`,
      );
    }
    const deletion = parseBoolField(body.deletion_allowed);
    if (deletion !== undefined) key.deletionAllowed = deletion;
    if (parseBoolField(body.exportable) === true) key.exportable = true;
    if (parseBoolField(body.allow_plaintext_backup) === true) key.allowPlaintextBackup = true;
    if (body.auto_rotate_period !== undefined) {
      const period = parseDurationSeconds(body.auto_rotate_period);
      if (period === undefined) return errorReply(400, 'invalid auto_rotate_period');
      if (period !== 0 && period < 3600) {
        return errorReply(400, 'auto rotate period must be 0 to disable or at least an hour');
      }
      key.autoRotatePeriod = period;
    }
    return this.ok(this.transit.describe(key), { warnings });
  }

  /** `decodeBatchRequestItems`: malformed batch input is a plain error, hence a 500. */
  private batchItems(
    raw: unknown,
    require: 'plaintext' | 'ciphertext' | undefined,
  ): Record<string, unknown>[] {
    if (!Array.isArray(raw)) {
      throw new HttpError(500, [
        `failed to parse batch input: source data must be an array or slice, got ${typeof raw}`,
      ]);
    }
    const problems: string[] = [];
    const items = raw.map((item: unknown, i) => {
      if (!isRecord(item)) {
        throw new HttpError(500, [
          `failed to parse batch input: [${i}] expected a map, got '${typeof item}'`,
        ]);
      }
      for (const field of ['context', 'ciphertext', 'plaintext', 'nonce', 'reference']) {
        if (item[field] !== undefined && item[field] !== null && typeof item[field] !== 'string') {
          problems.push(
            `'[${i}].${field}' expected type 'string', got unconvertible type '${typeof item[field]}'`,
          );
        }
      }
      if (require && item[require] === undefined) {
        problems.push(
          `'[${i}].${require}' missing ${require} to ${require === 'plaintext' ? 'encrypt' : 'decrypt'}`,
        );
      }
      return item;
    });
    if (problems.length > 0) {
      throw new HttpError(500, [
        `failed to parse batch input: ${problems.length} error(s) decoding:\n\n${problems.map((p) => `* ${p}`).join('\n')}`,
      ]);
    }
    return items;
  }

  private str(value: unknown): string {
    return typeof value === 'string' ? value : '';
  }

  private int(value: unknown): number {
    return parseIntField(value) ?? 0;
  }

  /**
   * Batch outcome (path_encrypt.go `batchRequestResponse`): any failed item makes it a 400 (or
   * `partial_failure_response_code` when some succeeded) carrying the whole response as body.
   */
  private batchReply(
    results: Record<string, unknown>[],
    body: Record<string, unknown>,
    warnings: string[] = [],
  ): Reply {
    const failed = results.some((r) => typeof r.error === 'string' && r.error !== '');
    const succeeded = results.some((r) => !(typeof r.error === 'string' && r.error !== ''));
    const envelope = this.envelope({ batch_results: results }, { warnings });
    if (!failed) return { status: 200, body: envelope };
    let status = 400;
    const override = parseIntField(body.partial_failure_response_code);
    if (override !== undefined && succeeded) {
      if (override < 1 || override > 599) {
        envelope.warnings = [
          ...warnings,
          'invalid HTTP response code override from partial_failure_response_code, reverting to 400',
        ];
      } else status = override;
    }
    return { status, body: envelope };
  }

  private contextOf(item: Record<string, unknown>): { raw: string; decoded?: Buffer; error?: string } {
    const raw = this.str(item.context);
    if (!raw) return { raw };
    try {
      return { raw, decoded: decodeGoBase64(raw) };
    } catch (err) {
      return { raw, error: (err as Error).message };
    }
  }

  /** path_encrypt.go pathEncryptWrite. */
  private encrypt(name: string, body: Record<string, unknown>): Reply {
    const batch = body.batch_input !== undefined && body.batch_input !== null;
    let items: Record<string, unknown>[];
    if (batch) {
      items = this.batchItems(body.batch_input, 'plaintext');
      if (items.length === 0) return errorReply(400, 'missing batch input to process');
    } else {
      if (body.plaintext === undefined) return errorReply(400, 'missing plaintext to encrypt');
      items = [body];
    }
    const results: Record<string, unknown>[] = items.map(() => ({}));
    const contexts: (Buffer | undefined)[] = [];
    const contextSet = this.str(items[0].context).length > 0;
    for (const [i, item] of items.entries()) {
      if (this.str(item.context).length > 0 !== contextSet) {
        return errorReply(400, 'context should be set either in all the request blocks or in none');
      }
      try {
        decodeGoBase64(this.str(item.plaintext));
      } catch (err) {
        results[i].error = (err as Error).message;
        continue;
      }
      const context = this.contextOf(item);
      if (context.error) results[i].error = context.error;
      contexts[i] = context.decoded;
    }
    let key = this.transit.get(name);
    const warnings: string[] = [];
    if (!key) {
      if (!this.upsertAllowed) return errorReply(400, 'encryption key not found');
      const type = body.type === undefined ? 'aes256-gcm96' : body.type;
      if (type !== 'aes256-gcm96' && type !== 'aes128-gcm96')
        return errorReply(400, `unknown key type ${String(type)}`);
      key = this.transit.create(name, { type: type as TransitKeyType, derived: contextSet });
    }
    for (const [i, item] of items.entries()) {
      if (results[i].error) continue;
      try {
        results[i].ciphertext = this.transit.encrypt(
          key,
          this.str(item.plaintext),
          contexts[i],
          this.int(item.key_version),
        );
        results[i].key_version = this.int(item.key_version) || key.latestVersion;
      } catch (err) {
        results[i].error = (err as Error).message;
      }
    }
    if (batch) {
      return this.batchReply(
        results.map((r, i) => ({ ...r, reference: this.str(items[i].reference) })),
        body,
        warnings,
      );
    }
    if (results[0].error) return errorReply(400, String(results[0].error));
    return this.ok({ ciphertext: results[0].ciphertext, key_version: results[0].key_version }, { warnings });
  }

  /**
   * The request parsing decrypt and rewrap share (as path_decrypt.go and path_rewrap.go do): single
   * or batch items, each with its ciphertext and a context that is set in all items or in none.
   */
  private ciphertextItems(
    body: Record<string, unknown>,
    batchField: 'ciphertext' | undefined,
  ):
    | Reply
    | {
        batch: boolean;
        items: Record<string, unknown>[];
        results: Record<string, unknown>[];
        contexts: (Buffer | undefined)[];
      } {
    const batch = body.batch_input !== undefined && body.batch_input !== null;
    let items: Record<string, unknown>[];
    if (batch) {
      items = this.batchItems(body.batch_input, batchField);
      if (items.length === 0) return errorReply(400, 'missing batch input to process');
    } else {
      if (this.str(body.ciphertext) === '') return errorReply(400, 'missing ciphertext to decrypt');
      items = [body];
    }
    const results: Record<string, unknown>[] = items.map(() => ({}));
    const contexts: (Buffer | undefined)[] = [];
    const contextSet = this.str(items[0].context).length > 0;
    for (const [i, item] of items.entries()) {
      if (this.str(item.context).length > 0 !== contextSet) {
        return errorReply(400, 'context should be set either in all the request blocks or in none');
      }
      if (this.str(item.ciphertext) === '') {
        results[i].error = 'missing ciphertext to decrypt';
        continue;
      }
      const context = this.contextOf(item);
      if (context.error) results[i].error = context.error;
      contexts[i] = context.decoded;
    }
    return { batch, items, results, contexts };
  }

  /** path_decrypt.go pathDecryptWrite. */
  private decrypt(name: string, body: Record<string, unknown>): Reply {
    const parsed = this.ciphertextItems(body, 'ciphertext');
    if ('status' in parsed) return parsed;
    const { batch, items, results, contexts } = parsed;
    const key = this.transit.get(name);
    if (!key) return errorReply(400, 'encryption key not found');
    for (const [i, item] of items.entries()) {
      if (results[i].error) continue;
      try {
        results[i].plaintext = this.transit.decrypt(key, this.str(item.ciphertext), contexts[i]);
      } catch (err) {
        results[i].error = (err as Error).message;
      }
    }
    if (batch) {
      return this.batchReply(
        results.map((r, i) => ({ ...r, reference: this.str(items[i].reference) })),
        body,
      );
    }
    if (results[0].error) return errorReply(400, String(results[0].error));
    return this.ok({ plaintext: results[0].plaintext });
  }

  /** path_rewrap.go pathRewrapWrite: item errors stay in a 200; an AEAD failure aborts with a 500. */
  private rewrap(name: string, body: Record<string, unknown>): Reply {
    const parsed = this.ciphertextItems(body, undefined);
    if ('status' in parsed) return parsed;
    const { batch, items, results, contexts } = parsed;
    const key: TransitKey | undefined = this.transit.get(name);
    if (!key) return errorReply(400, 'encryption key not found');
    for (const [i, item] of items.entries()) {
      if (results[i].error) continue;
      let plaintext: string;
      try {
        plaintext = this.transit.decrypt(key, this.str(item.ciphertext), contexts[i]);
      } catch (err) {
        if (err instanceof TransitAuthError) return errorReply(500, err.message);
        results[i].error = (err as Error).message;
        continue;
      }
      try {
        results[i].ciphertext = this.transit.encrypt(key, plaintext, contexts[i], this.int(item.key_version));
        results[i].key_version = this.int(item.key_version) || key.latestVersion;
      } catch (err) {
        if (!(err instanceof TransitUserError)) return errorReply(500, (err as Error).message);
        results[i].error = err.message;
      }
    }
    if (batch) {
      return this.ok({
        batch_results: results.map((r, i) => ({ ...r, reference: this.str(items[i].reference) })),
      });
    }
    if (results[0].error) return errorReply(400, String(results[0].error));
    return this.ok({ ciphertext: results[0].ciphertext, key_version: results[0].key_version });
  }

  // --- kv v2 -------------------------------------------------------------------------------------------------

  private kvMetadata(entry: KvEntry): Record<string, unknown> {
    return {
      created_time: entry.createdTime,
      custom_metadata: null,
      deletion_time: '',
      destroyed: false,
      version: entry.version,
    };
  }

  private kvRead(path: string): Reply {
    const entry = this.kv.get(path);
    if (!entry) return this.notFound();
    return this.ok({ data: entry.data, metadata: this.kvMetadata(entry) }, { mountType: 'kv' });
  }

  private kvWrite(path: string, body: Record<string, unknown>): Reply {
    if (!isRecord(body.data)) return errorReply(400, 'no data provided');
    this.putKv(path, body.data);
    return this.ok(this.kvMetadata(this.kv.get(path)!), { mountType: 'kv' });
  }
}
