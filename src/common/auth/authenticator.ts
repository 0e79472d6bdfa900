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

  async authenticate(request: FastifyRequest): Promise<void> {
    let id: number;
    try {
      id = await this.verifier.verify(bearerToken(request.headers.authorization));
    } catch (error) {
      if (error instanceof UnauthorizedError) await this.failures.count(request);
      throw error;
    }
    request.user = { id };
    const fields = currentLogFields();
    if (fields) fields.user_id = id;
  }
}

function bearerToken(header: string | undefined): string {
  if (!header) throw new UnauthorizedError('Missing bearer token');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
  return match[1];
}
