/**
 * TLS settings of every dependency, read and checked once at start-up (never logged).
 *
 * Redis, Vault and RabbitMQ: the URL's scheme turns TLS on (`rediss://`, `https://`, `amqps://`) and
 * `<PREFIX>_TLS_CA_FILE` / `_CERT_FILE` / `_KEY_FILE` / `_SERVERNAME` / `_INSECURE` tune it (prefixes
 * REDIS, VAULT, AMQP). PostgreSQL keeps pg's own URL options (`sslmode`, `sslrootcert`, `sslcert`,
 * `sslkey`): they are checked here, and `DATABASE_TLS_INSECURE` is the one extra variable.
 * Verification is always on unless `<PREFIX>_TLS_INSECURE=true`, which NODE_ENV=production refuses.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { EnvReader } from './env';

/** Dependency labels, as in the health components and `dependency_tls_cert_expiry_seconds`. */
export type TlsDependency = 'database' | 'redis' | 'vault' | 'rabbitmq';

/** A PEM file of one or more certificates. */
export interface CertificateFile {
  path: string;
  pem: Buffer;
  /** When the first of its certificates expires. */
  notAfter: Date;
}

/** A client private key: its PEM never shows in JSON, `inspect` or string conversions. */
export class PrivateKeyFile {
  readonly #pem: Buffer;

  constructor(
    readonly path: string,
    pem: Buffer,
  ) {
    this.#pem = pem;
  }

  /** The key itself, for the TLS option builders only. */
  pem(): Buffer {
    return this.#pem;
  }

  toJSON(): string {
    return `[private key ${this.path}]`;
  }

  toString(): string {
    return this.toJSON();
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}

export interface DependencyTls {
  dependency: TlsDependency;
  /** "Redis", "HashiCorp Vault", ... for messages. */
  name: string;
  /** The variable holding the dependency's URL. */
  urlVariable: string;
  /** The URL asks for TLS. */
  enabled: boolean;
  /** Trusted CA bundle; absent: Node's default public CAs. */
  ca?: CertificateFile;
  /** Client certificate and key for mutual TLS. */
  cert?: CertificateFile;
  key?: PrivateKeyFile;
  /** Name the server's certificate must carry (and SNI), instead of the URL's host. */
  servername?: string;
  /** Verification off (`*_TLS_INSECURE=true`; never in production). */
  insecure: boolean;
}

export interface TlsConfig {
  database: DependencyTls;
  redis: DependencyTls;
  vault: DependencyTls;
  rabbitmq: DependencyTls;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

interface Source {
  dependency: TlsDependency;
  name: string;
  urlVariable: string;
  url: string | undefined;
  tlsProtocol: string;
  prefix: string;
}

/** Reads REDIS_TLS_*, VAULT_TLS_*, AMQP_TLS_* and checks DATABASE_URL's TLS options. */
export function readTlsConfig(
  r: EnvReader,
  production: boolean,
  urls: { database?: string; redis?: string; vault?: string; amqp?: string },
): TlsConfig {
  return {
    database: readDatabaseTls(r, production, urls.database),
    redis: readDependencyTls(r, production, {
      dependency: 'redis',
      name: 'Redis',
      urlVariable: 'REDIS_URL',
      url: urls.redis,
      tlsProtocol: 'rediss:',
      prefix: 'REDIS',
    }),
    vault: readDependencyTls(r, production, {
      dependency: 'vault',
      name: 'HashiCorp Vault',
      urlVariable: 'VAULT_URL',
      url: urls.vault,
      tlsProtocol: 'https:',
      prefix: 'VAULT',
    }),
    rabbitmq: readDependencyTls(r, production, {
      dependency: 'rabbitmq',
      name: 'RabbitMQ',
      urlVariable: 'AMQP_URL',
      url: urls.amqp,
      tlsProtocol: 'amqps:',
      prefix: 'AMQP',
    }),
  };
}

function readDependencyTls(r: EnvReader, production: boolean, s: Source): DependencyTls {
  const enabled = s.url !== undefined && new URL(s.url).protocol === s.tlsProtocol;
  const names = ['CA_FILE', 'CERT_FILE', 'KEY_FILE', 'SERVERNAME', 'INSECURE'].map(
    (n) => `${s.prefix}_TLS_${n}`,
  );
  // `*_TLS_INSECURE=false` says nothing: only a value that would change something is refused.
  const given = names.filter((n) =>
    n.endsWith('_INSECURE')
      ? ['true', '1', 'yes', 'on'].includes(r.string(n)?.toLowerCase() ?? '')
      : r.string(n) !== undefined,
  );
  const base = { dependency: s.dependency, name: s.name, urlVariable: s.urlVariable, enabled };
  if (!enabled) {
    for (const n of given) {
      r.problem(n, `is set, but ${s.urlVariable} is not a ${s.tlsProtocol}// URL (TLS is off)`);
    }
    return { ...base, insecure: false };
  }
  const ca = readCertificateFile(r, `${s.prefix}_TLS_CA_FILE`);
  const { cert, key } = readClientPair(r, s.prefix);
  const insecure = readInsecure(r, production, `${s.prefix}_TLS_INSECURE`);
  return { ...base, ca, cert, key, servername: r.string(`${s.prefix}_TLS_SERVERNAME`), insecure };
}

function readInsecure(r: EnvReader, production: boolean, name: string): boolean {
  const insecure = r.boolean(name, false);
  if (insecure && production) {
    r.problem(name, 'turning TLS verification off is refused with NODE_ENV=production');
  }
  return insecure;
}

function readClientPair(r: EnvReader, prefix: string): { cert?: CertificateFile; key?: PrivateKeyFile } {
  const certName = `${prefix}_TLS_CERT_FILE`;
  const keyName = `${prefix}_TLS_KEY_FILE`;
  const cert = readCertificateFile(r, certName);
  const key = readKeyFile(r, keyName);
  if ((r.string(certName) === undefined) !== (r.string(keyName) === undefined)) {
    r.problem(certName, `${certName} and ${keyName} must be set together (mutual TLS)`);
  }
  if (cert && key) checkPair(r, certName, keyName, cert, key);
  return { cert, key };
}

function checkPair(
  r: EnvReader,
  certName: string,
  keyName: string,
  cert: CertificateFile,
  key: PrivateKeyFile,
): void {
  const first = cert.pem.toString('utf8').match(PEM_CERTIFICATE)?.[0];
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key.pem());
  } catch {
    return; // reported by readKeyFile
  }
  if (first && !new X509Certificate(first).checkPrivateKey(keyObject)) {
    r.problem(keyName, `is not the private key of the certificate in ${certName}`);
  }
}

function readFile(r: EnvReader, name: string): { path: string; content: Buffer } | undefined {
  const path = r.string(name);
  if (path === undefined) return undefined;
  try {
    return { path, content: readFileSync(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    r.problem(name, `cannot read ${path} (${code})`);
    return undefined;
  }
}

/** A PEM bundle of certificates (every one must parse); the earliest expiry is kept for the metric. */
export function readCertificateFile(r: EnvReader, name: string): CertificateFile | undefined {
  const file = readFile(r, name);
  return file ? parseCertificates(r, name, file.path, file.content) : undefined;
}

function parseCertificates(
  r: EnvReader,
  name: string,
  path: string,
  pem: Buffer,
): CertificateFile | undefined {
  const blocks = pem.toString('utf8').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    r.problem(name, `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return undefined;
  }
  let notAfter: Date | undefined;
  for (const block of blocks) {
    let validTo: Date;
    try {
      validTo = new Date(new X509Certificate(block).validTo);
    } catch {
      r.problem(name, `${path} holds a certificate that cannot be parsed`);
      return undefined;
    }
    if (!notAfter || validTo < notAfter) notAfter = validTo;
  }
  return { path, pem, notAfter: notAfter! };
}

function readKeyFile(r: EnvReader, name: string): PrivateKeyFile | undefined {
  const file = readFile(r, name);
  if (!file) return undefined;
  try {
    createPrivateKey(file.content);
  } catch {
    r.problem(name, `${file.path} is not an unencrypted PEM private key`);
    return undefined;
  }
  return new PrivateKeyFile(file.path, file.content);
}

/**
 * PostgreSQL: `sslmode`, `sslrootcert`, `sslcert`, `sslkey` in DATABASE_URL (pg's own options). The
 * files are read once here (the pool gets them as `ssl` options instead of re-reading them for each
 * connection, see data-source.options.ts), their expiry kept for the metric, and the modes
 * that skip verification (`no-verify`; with `uselibpqcompat=true` also `prefer`, `require`,
 * `verify-ca`) need DATABASE_TLS_INSECURE=true, refused in production.
 */
function readDatabaseTls(r: EnvReader, production: boolean, url: string | undefined): DependencyTls {
  const base = {
    dependency: 'database' as const,
    name: 'PostgreSQL',
    urlVariable: 'DATABASE_URL',
  };
  const params = url ? new URL(url).searchParams : new URLSearchParams();
  const mode = params.get('sslmode') ?? undefined;
  const tlsParams = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl'].filter((p) => params.has(p));
  const enabled =
    tlsParams.length > 0 && mode !== 'disable' && !['0', 'false'].includes(params.get('ssl') ?? '');
  const insecure = r.boolean('DATABASE_TLS_INSECURE', false);
  if (!enabled) {
    if (insecure) r.problem('DATABASE_TLS_INSECURE', 'is set, but DATABASE_URL does not use TLS (sslmode)');
    return { ...base, enabled, insecure: false };
  }
  const libpq = params.get('uselibpqcompat') === 'true';
  const unverified =
    mode === 'no-verify' ||
    (libpq &&
      (mode === 'prefer' || mode === 'verify-ca' || (mode === 'require' && !params.has('sslrootcert'))));
  if (unverified && !insecure) {
    r.problem(
      'DATABASE_URL',
      `sslmode=${mode}${libpq ? ' with uselibpqcompat=true' : ''} does not verify the server; use sslmode=verify-full or set DATABASE_TLS_INSECURE=true`,
    );
  }
  if (insecure) readInsecure(r, production, 'DATABASE_TLS_INSECURE');
  const file = (param: string): Buffer | undefined => {
    const path = params.get(param);
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      r.problem('DATABASE_URL', `${param}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
      return undefined;
    }
  };
  const certificates = (param: string): CertificateFile | undefined => {
    const content = file(param);
    return content && parseCertificates(r, `DATABASE_URL ${param}`, params.get(param)!, content);
  };
  const ca = certificates('sslrootcert');
  const cert = certificates('sslcert');
  const keyPem = file('sslkey');
  let key: PrivateKeyFile | undefined;
  if (keyPem) {
    try {
      createPrivateKey(keyPem);
      key = new PrivateKeyFile(params.get('sslkey')!, keyPem);
    } catch {
      r.problem('DATABASE_URL', `sslkey: ${params.get('sslkey')} is not an unencrypted PEM private key`);
    }
  }
  if (params.has('sslcert') !== params.has('sslkey')) {
    r.problem('DATABASE_URL', 'sslcert and sslkey must be given together (mutual TLS)');
  }
  if (cert && key) checkPair(r, 'DATABASE_URL sslcert', 'DATABASE_URL sslkey', cert, key);
  return { ...base, enabled, ca, cert, key, insecure: unverified };
}
