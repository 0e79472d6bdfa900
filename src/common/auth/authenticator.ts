import { Inject, Injectable, Optional } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../errors/app-error';
import { currentLogFields } from '../logging/logger.options';
import { FailedAuthLimiter } from '../throttling/failed-auth-limiter';
import { API_KEY_PREFIX, API_KEY_RESOLVER, type ApiKeyGrant, type ApiKeyResolver } from './api-key-grant';
import { JwtVerifier } from './jwt-verifier';

/**
 * Turns a request's credential into `request.user`: the platform's JWT as a bearer token, or an
 * API key (`X-API-Key`, or `Authorization: Bearer isk_…`). A request that fails is counted in its
 * IP's rate-limit bucket before the 401 (a 429 once that bucket is full).
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly verifier: JwtVerifier,
    private readonly failures: FailedAuthLimiter,
    @Optional() @Inject(API_KEY_RESOLVER) private readonly apiKeys?: ApiKeyResolver,
  ) {}

  /**
   * Sets `request.user`, or fails with UnauthorizedError once the failure is counted. Synchronous
   * (no promise) when the token checks out with a local key; a promise otherwise (JWKS, API keys, failures).
   */
  authenticate(request: FastifyRequest): void | Promise<void> {
    let verified: number | Promise<number>;
    try {
      const credential = credentialOf(request);
      if (credential.kind === 'api_key') return this.authenticateKey(request, credential.value);
      verified = this.verifier.verifyNow(credential.value);
    } catch (error) {
      return this.refuse(request, error);
    }
    if (typeof verified === 'number') return this.accept(request, verified);
    return verified.then(
      (id) => this.accept(request, id),
      (error: unknown) => this.refuse(request, error),
    );
  }

  private async authenticateKey(request: FastifyRequest, key: string): Promise<void> {
    const found = this.apiKeys ? await this.apiKeys.resolve(key) : null;
    if (!found) return this.refuse(request, new UnauthorizedError('Unknown, expired or revoked API key'));
    this.accept(request, found.userId, found.grant);
  }

  private accept(request: FastifyRequest, id: number, apiKey?: ApiKeyGrant): void {
    request.user = apiKey ? { id, apiKey } : { id };
    const fields = currentLogFields();
    if (fields) fields.user_id = id;
  }

  private async refuse(request: FastifyRequest, error: unknown): Promise<never> {
    if (error instanceof UnauthorizedError) await this.failures.count(request);
    throw error;
  }
}

type Credential = { kind: 'jwt' | 'api_key'; value: string };

function credentialOf(request: FastifyRequest): Credential {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (apiKey !== undefined) {
    if (header) throw new UnauthorizedError('Send either an Authorization header or X-API-Key, not both');
    if (typeof apiKey !== 'string' || apiKey === '')
      throw new UnauthorizedError('X-API-Key must hold one key');
    return { kind: 'api_key', value: apiKey };
  }
  const token = bearerToken(header);
  return { kind: token.startsWith(API_KEY_PREFIX) ? 'api_key' : 'jwt', value: token };
}

function bearerToken(header: string | undefined): string {
  if (!header) throw new UnauthorizedError('Missing bearer token');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
  return match[1];
}
