import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../errors/app-error';
import { currentLogFields } from '../logging/logger.options';
import { FailedAuthLimiter } from '../throttling/failed-auth-limiter';
import { JwtVerifier } from './jwt-verifier';

/**
 * Turns a request's bearer token into `request.user`. A request that fails is counted in its IP's
 * rate-limit bucket before the 401 (a 429 once that bucket is full).
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly verifier: JwtVerifier,
    private readonly failures: FailedAuthLimiter,
  ) {}

  /**
   * Sets `request.user`, or fails with UnauthorizedError once the failure is counted. Synchronous
   * (no promise) when the token checks out with a local key; a promise otherwise (JWKS, failures).
   */
  authenticate(request: FastifyRequest): void | Promise<void> {
    let verified: number | Promise<number>;
    try {
      verified = this.verifier.verifyNow(bearerToken(request.headers.authorization));
    } catch (error) {
      return this.refuse(request, error);
    }
    if (typeof verified === 'number') return this.accept(request, verified);
    return verified.then(
      (id) => this.accept(request, id),
      (error: unknown) => this.refuse(request, error),
    );
  }

  private accept(request: FastifyRequest, id: number): void {
    request.user = { id };
    const fields = currentLogFields();
    if (fields) fields.user_id = id;
  }

  private async refuse(request: FastifyRequest, error: unknown): Promise<never> {
    if (error instanceof UnauthorizedError) await this.failures.count(request);
    throw error;
  }
}

function bearerToken(header: string | undefined): string {
  if (!header) throw new UnauthorizedError('Missing bearer token');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
  return match[1];
}
