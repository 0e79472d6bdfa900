import type { EnvReader } from './env';

/** HTTP_*, CORS_ORIGINS and TRUST_PROXY: how the server takes requests. */
export interface HttpConfig {
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  /** The whole request (headers and body) must arrive within this; else 408 and the socket closes. */
  requestTimeoutMs: number;
  /** A socket with no traffic at all for this long is closed. */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Browser origins allowed to call the API (CORS); empty: no CORS headers at all; `*`: any (not in production). */
  corsOrigins: string[];
}

export function readHttp(r: EnvReader, production: boolean): HttpConfig {
  const keepAliveTimeoutMs = r.integer('HTTP_KEEP_ALIVE_TIMEOUT_MS', 72000, 1000, 600000);
  const http: HttpConfig = {
    bodyLimitBytes: r.integer('HTTP_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    requestTimeoutMs: r.integer('HTTP_REQUEST_TIMEOUT_MS', 30000, 100, 600000),
    connectionTimeoutMs: r.integer('HTTP_CONNECTION_TIMEOUT_MS', keepAliveTimeoutMs + 3000, 100, 900000),
    keepAliveTimeoutMs,
    corsOrigins: readCorsOrigins(r, production),
  };
  if (http.connectionTimeoutMs <= http.keepAliveTimeoutMs) {
    r.problem('HTTP_CONNECTION_TIMEOUT_MS', 'must be longer than HTTP_KEEP_ALIVE_TIMEOUT_MS');
  }
  return http;
}

/** CORS_ORIGINS: a comma-separated list of origins (`https://app.example.com`), or `*` outside production. */
function readCorsOrigins(r: EnvReader, production: boolean): string[] {
  const value = r.string('CORS_ORIGINS');
  if (value === undefined) return [];
  const origins = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (origins.includes('*')) {
    if (production) r.problem('CORS_ORIGINS', '"*" (any origin) is refused with NODE_ENV=production');
    else if (origins.length > 1) r.problem('CORS_ORIGINS', '"*" cannot be combined with other origins');
    return ['*'];
  }
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      r.problem(
        'CORS_ORIGINS',
        `"${origin}" is not an origin (scheme://host[:port], no path or trailing slash)`,
      );
    }
  }
  return origins;
}

/** TRUST_PROXY: true/false, a hop count, or a comma-separated list of proxy addresses/CIDRs. */
export function readTrustProxy(r: EnvReader): boolean | number | string[] {
  const value = r.string('TRUST_PROXY');
  if (value === undefined) return false;
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  const list = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (list.every((item) => /^[0-9a-f.:]+(\/\d{1,3})?$/i.test(item))) return list;
  r.problem('TRUST_PROXY', 'must be true, false, a hop count or a comma-separated list of addresses/CIDRs');
  return false;
}
