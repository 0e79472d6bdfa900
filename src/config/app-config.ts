import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Env, EnvReader } from './env';
import { readTlsConfig, type TlsConfig } from './tls-config';
import { readEventsConfig, type EventsConfig } from './events-config';
import { readHttp, readTrustProxy, type HttpConfig } from './http-config';
import { readSendConfig, type SendConfig } from './send-config';
export type { HttpConfig } from './http-config';
export type { EventsConfig } from './events-config';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface JwtConfig {
  secret?: string; // HS256 shared secret
  publicKey?: string; // PEM public key for RS256/ES256
  /** The identity provider's JWKS URL (RS256/ES256 keys by kid). */
  jwksUrl?: string;
  /** True when the secret was generated for development, not configured. */
  generated: boolean;
  issuer?: string;
  audience?: string;
  /** Claim holding the user id; undefined means `user_id`, else `sub`. */
  userClaim?: string;
  /** Longest accepted token lifetime (`exp` − `iat`, or `exp` − now without `iat`). */
  maxLifetimeSeconds: number;
  /** Tolerance for the issuer's clock: `iat`/`nbf` this far ahead, `exp` this far behind. */
  clockSkewSeconds: number;
}

export interface AppConfig {
  appName: string;
  version: string;
  nodeEnv: string;
  production: boolean;
  debug: boolean;
  logLevel: LogLevel;
  host: string;
  port: number;
  /** Fastify trustProxy: which proxies may set X-Forwarded-For (client IPs for rate limits). */
  trustProxy: boolean | number | string[];
  dataDir: string;
  allowDevelopmentDefaults: boolean;
  shutdownTimeoutMs: number;
  /** On SIGTERM, readiness answers 503 for this long while requests are still served, before closing. */
  shutdownDrainMs: number;
  http: HttpConfig;
  database: {
    /** Undefined: the embedded PostgreSQL is started under `<dataDir>/postgres`. */
    url?: string;
    embeddedPort?: number; // EMBEDDED_POSTGRES_PORT; unset: a free port at each start
    poolSize: number;
    migrationsRun: boolean;
    statementTimeoutMs: number;
    /** Client-side bound on every query (covers a server that stopped answering). */
    queryTimeoutMs: number;
    connectTimeoutMs: number;
  };
  jwt: JwtConfig;
  vault: {
    url?: string;
    token?: string;
    roleId?: string;
    secretId?: string;
    k8sRole?: string;
    k8sTokenPath: string;
    transitKey: string;
    kvTelegramPath: string;
    timeoutMs: number;
  };
  telegram: {
    apiId?: number;
    apiHash?: string;
    /** Use the Telegram emulator instead of Telegram (never in production). */
    emulator: boolean;
    /**
     * The one application the emulator accepts (TELEGRAM_EMULATOR_APP_ID/_HASH); unset: the pair the
     * service itself connects to the emulator with.
     */
    emulatorApp?: { apiId: number; apiHash: string };
    /** An emulator server (tcp://host:port of DC 1) to use; unset: `npm start` starts or reuses one itself. */
    emulatorUrl?: string;
    /** That server's control port (default http://host:port+3). */
    emulatorControlUrl?: string;
    emulatorPort?: number; // TELEGRAM_EMULATOR_PORT: DC 1 of the server npm start starts; unset: free
    /** TELEGRAM_EMULATOR_IN_PROCESS: keep the world inside the service process (no server, lost at restart). */
    emulatorInProcess: boolean;
    /** Bound on every GramJS call (connect, each request). */
    callTimeoutMs: number;
    /** A connected client unused this long is destroyed. */
    clientIdleMs: number;
    /** How long a pending login (code sent, 2FA asked, QR shown) may be continued. */
    loginTtlSeconds: number;
    /** A replica's lease on a session lives this long unless renewed (renewed every third of it). */
    leaseTtlMs: number;
    /** How long a request waits for another replica to hand a session over before 409 telegram_session_busy. */
    leaseWaitMs: number;
    watchdog: {
      /** 0 turns the watchdog off; else every connected session and bot is checked once per interval. */
      intervalMs: number;
      /** Checks running at once in this replica. */
      concurrency: number;
      /** Consecutive unreachable checks before a session turns `error`. */
      failuresBeforeError: number;
    };
  };
  redisUrl?: string;
  /** Prefix of every Redis key the service writes (several environments may share one Redis). */
  redisKeyPrefix: string;
  amqpUrl?: string;
  /** The outbox relay, the broker exchange and the WebSocket (EVENTS_*, WS_*). */
  events: EventsConfig;
  prometheusEnabled: boolean;
  rateLimit: {
    enabled: boolean;
    /** Requests per window for an authenticated user (or an IP when no user is known). */
    apiLimit: number;
    apiWindowSeconds: number;
    /** Requests per window for one API key (counted besides its user's bucket). */
    apiKeyLimit: number;
    /** Requests per minute per IP on /health and /api/v1/health/detailed together (probes and /metrics: never limited). */
    healthLimit: number;
    /** With REDIS_URL: bound on one counter update; past it the request is let through. */
    redisTimeoutMs: number;
  };
  health: {
    checkTimeoutMs: number;
  };
  logRetentionDays: number;
  /** TLS of every dependency (files read once here); see tls-config.ts. */
  tls: TlsConfig;
  send: SendConfig;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Loads `.env` from the working directory when present; real environment variables win. */
export function loadDotEnv(cwd = process.cwd()): void {
  const file = resolve(cwd, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Reads and validates every variable once; throws ConfigValidationError listing all problems. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const r = new EnvReader(env);
  const nodeEnv = r.string('NODE_ENV', 'development');
  const production = nodeEnv === 'production';

  const jwtSecret = r.secret('JWT_SECRET', 32);
  const jwtPublicKey = readPem(r, 'JWT_PUBLIC_KEY');
  const jwksUrl = r.url('JWT_JWKS_URL', ['http:', 'https:']);
  if ([jwtSecret, jwtPublicKey, jwksUrl].filter(Boolean).length > 1) {
    r.problem('JWT_SECRET', 'set only one of JWT_SECRET, JWT_PUBLIC_KEY and JWT_JWKS_URL');
  }

  const apiIdRaw = r.integer('TELEGRAM_API_ID', undefined, 1, 2 ** 31 - 1);
  const apiHash = r.secret('TELEGRAM_API_HASH');
  if (apiHash !== undefined && !/^[0-9a-f]{32}$/i.test(apiHash)) {
    r.problem('TELEGRAM_API_HASH', 'must be 32 hexadecimal characters');
  }
  if ((apiIdRaw === undefined) !== (apiHash === undefined)) {
    r.problem('TELEGRAM_API_ID', 'TELEGRAM_API_ID and TELEGRAM_API_HASH must be set together');
  }

  const vaultUrl = r.url('VAULT_URL', ['http:', 'https:']);
  // The emulator is the development default when nothing could supply real API credentials.
  const telegramEmulator = r.boolean(
    'TELEGRAM_EMULATOR',
    !production && apiIdRaw === undefined && vaultUrl === undefined,
  );
  if (production && telegramEmulator) {
    r.problem('TELEGRAM_EMULATOR', 'the Telegram emulator is refused with NODE_ENV=production');
  }
  const emulatorAppId = r.integer('TELEGRAM_EMULATOR_APP_ID', undefined, 1, 2 ** 31 - 1);
  const emulatorAppHash = r.secret('TELEGRAM_EMULATOR_APP_HASH');
  if (emulatorAppHash !== undefined && !/^[0-9a-f]{32}$/i.test(emulatorAppHash)) {
    r.problem('TELEGRAM_EMULATOR_APP_HASH', 'must be 32 hexadecimal characters');
  }
  if ((emulatorAppId === undefined) !== (emulatorAppHash === undefined)) {
    r.problem(
      'TELEGRAM_EMULATOR_APP_ID',
      'TELEGRAM_EMULATOR_APP_ID and TELEGRAM_EMULATOR_APP_HASH must be set together',
    );
  }
  const emulatorUrl = r.url('TELEGRAM_EMULATOR_URL', ['tcp:']);
  const emulatorControlUrl =
    r.url('TELEGRAM_EMULATOR_CONTROL_URL', ['http:']) ??
    (emulatorUrl ? defaultControlUrl(emulatorUrl) : undefined);
  const statementTimeoutMs = r.integer('DATABASE_STATEMENT_TIMEOUT_MS', 15000, 100, 600000);
  const base: Omit<AppConfig, 'tls'> = {
    appName: r.string('APP_NAME', 'Integration Service'),
    version: r.string('VERSION', '1.0.0'),
    nodeEnv,
    production,
    debug: r.boolean('DEBUG', false),
    // DEBUG=true without an explicit LOG_LEVEL means debug-level logs.
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, r.boolean('DEBUG', false) ? 'debug' : 'info'),
    host: r.string('HOST', '127.0.0.1'),
    port: r.integer('PORT', 8001, 0, 65535),
    trustProxy: readTrustProxy(r),
    dataDir: resolve(cwd, r.string('DATA_DIR', 'data')),
    allowDevelopmentDefaults: r.boolean('ALLOW_DEVELOPMENT_DEFAULTS', false),
    shutdownTimeoutMs: r.integer('SHUTDOWN_TIMEOUT_MS', 10000, 100, 300000),
    shutdownDrainMs: r.integer('SHUTDOWN_DRAIN_MS', 0, 0, 120000),
    http: readHttp(r, production),
    database: {
      url: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
      embeddedPort: r.integer('EMBEDDED_POSTGRES_PORT', undefined, 1, 65535),
      poolSize: r.integer('DATABASE_POOL_SIZE', 10, 1, 200),
      migrationsRun: r.boolean('MIGRATIONS_RUN', true),
      statementTimeoutMs,
      queryTimeoutMs: r.integer('DATABASE_QUERY_TIMEOUT_MS', statementTimeoutMs + 1000, 100, 601000),
      connectTimeoutMs: r.integer('DATABASE_CONNECT_TIMEOUT_MS', 5000, 100, 120000),
    },
    jwt: {
      secret: jwtSecret,
      publicKey: jwtPublicKey,
      jwksUrl,
      generated: false,
      issuer: r.string('JWT_ISSUER'),
      audience: r.string('JWT_AUDIENCE'),
      userClaim: r.string('JWT_USER_CLAIM'),
      maxLifetimeSeconds: r.integer('JWT_MAX_LIFETIME_SECONDS', 86400, 60, 31 * 86400),
      clockSkewSeconds: r.integer('JWT_CLOCK_SKEW_SECONDS', 5, 0, 600),
    },
    vault: {
      url: vaultUrl,
      token: r.secret('VAULT_TOKEN'),
      roleId: r.string('VAULT_ROLE_ID'),
      secretId: r.secret('VAULT_SECRET_ID'),
      k8sRole: r.string('VAULT_K8S_ROLE'),
      k8sTokenPath: r.string('VAULT_K8S_TOKEN_PATH', '/var/run/secrets/kubernetes.io/serviceaccount/token'),
      transitKey: r.string('VAULT_TRANSIT_KEY', 'telegram-sessions'),
      kvTelegramPath: r.string('VAULT_KV_TELEGRAM_PATH', 'secret/data/integrations/telegram'),
      timeoutMs: r.integer('VAULT_TIMEOUT_MS', 5000, 50, 120000),
    },
    telegram: {
      apiId: apiIdRaw,
      apiHash,
      emulator: telegramEmulator,
      ...(emulatorAppId !== undefined && emulatorAppHash !== undefined
        ? { emulatorApp: { apiId: emulatorAppId, apiHash: emulatorAppHash } }
        : {}),
      emulatorUrl,
      emulatorControlUrl: telegramEmulator ? emulatorControlUrl : undefined,
      emulatorPort: r.integer('TELEGRAM_EMULATOR_PORT', undefined, 1, 65532),
      emulatorInProcess: r.boolean('TELEGRAM_EMULATOR_IN_PROCESS', false),
      callTimeoutMs: r.integer('TELEGRAM_CALL_TIMEOUT_MS', 15000, 100, 300000),
      clientIdleMs: r.integer('TELEGRAM_CLIENT_IDLE_MS', 60000, 1000, 3600000),
      loginTtlSeconds: r.integer('TELEGRAM_LOGIN_TTL_SECONDS', 600, 30, 86400),
      leaseTtlMs: r.integer('TELEGRAM_LEASE_TTL_MS', 15000, 300, 600000),
      leaseWaitMs: r.integer('TELEGRAM_LEASE_WAIT_MS', 3000, 0, 60000),
      watchdog: {
        intervalMs: r.integer('TELEGRAM_WATCHDOG_INTERVAL_MS', 300000, 0, 86400000),
        concurrency: r.integer('TELEGRAM_WATCHDOG_CONCURRENCY', 4, 1, 100),
        failuresBeforeError: r.integer('TELEGRAM_WATCHDOG_FAILURES', 3, 1, 100),
      },
    },
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: r.string('REDIS_KEY_PREFIX', 'integration-service:'),
    amqpUrl: r.url('AMQP_URL', ['amqp:', 'amqps:']),
    events: readEventsConfig(r),
    prometheusEnabled: r.boolean('PROMETHEUS_ENABLED', true),
    rateLimit: {
      enabled: r.boolean('RATE_LIMIT_ENABLED', true),
      apiLimit: r.integer('RATE_LIMIT_API_LIMIT', 120, 1, 1_000_000),
      apiWindowSeconds: r.integer('RATE_LIMIT_API_WINDOW_SECONDS', 60, 1, 86400),
      apiKeyLimit: r.integer('RATE_LIMIT_API_KEY_LIMIT', 60, 1, 1_000_000),
      healthLimit: r.integer('RATE_LIMIT_HEALTH_LIMIT', 60, 1, 1_000_000),
      redisTimeoutMs: r.integer('RATE_LIMIT_REDIS_TIMEOUT_MS', 500, 20, 10_000),
    },
    health: { checkTimeoutMs: r.integer('HEALTH_CHECK_TIMEOUT_MS', 3000, 50, 60000) },
    logRetentionDays: r.integer('LOG_RETENTION_DAYS', 90, 1, 3650),
    send: readSendConfig(r),
  };
  // Read after every URL (so problems keep the order of the variables above).
  const config: AppConfig = {
    ...base,
    tls: readTlsConfig(r, production, {
      database: base.database.url,
      redis: base.redisUrl,
      vault: vaultUrl,
      amqp: base.amqpUrl,
    }),
  };

  if (
    vaultUrl &&
    !config.vault.token &&
    !(config.vault.roleId && config.vault.secretId) &&
    !config.vault.k8sRole
  ) {
    r.problem('VAULT_URL', 'needs VAULT_TOKEN, VAULT_ROLE_ID + VAULT_SECRET_ID, or VAULT_K8S_ROLE');
  }
  if (production && !config.allowDevelopmentDefaults) {
    const refuse = (name: string, what: string) =>
      r.problem(
        name,
        `${what} is a development default, refused with NODE_ENV=production (set ALLOW_DEVELOPMENT_DEFAULTS=true to allow)`,
      );
    if (!config.database.url) refuse('DATABASE_URL', 'the embedded PostgreSQL');
    if (!config.vault.url) refuse('VAULT_URL', 'the local cipher');
    if (!jwtSecret && !jwtPublicKey && !jwksUrl) refuse('JWT_SECRET', 'a generated JWT secret');
  }

  if (r.problems.length > 0) throw new ConfigValidationError(r.problems);
  return config;
}

function readPem(r: EnvReader, name: string): string | undefined {
  const value = r.string(name);
  if (value === undefined) return undefined;
  // Allow "\n"-escaped single-line PEMs, the usual way to pass a key through an environment variable.
  const pem = value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
  if (!/-----BEGIN (RSA |EC )?PUBLIC KEY-----/.test(pem)) {
    r.problem(name, 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
    return undefined;
  }
  return pem;
}

/** The emulator server's control port is, by convention, the port after its three DC ports. */
export function defaultControlUrl(emulatorUrl: string): string {
  const url = new URL(emulatorUrl);
  return `http://${url.hostname}:${Number(url.port || 19443) + 3}`;
}
