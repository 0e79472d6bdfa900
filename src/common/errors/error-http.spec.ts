import { HttpException, NotFoundException } from '@nestjs/common';
import {
  CipherNotConfiguredError,
  SecretDecryptionError,
  VaultUnavailableError,
} from '../../vault/vault.errors';
import { TelegramCredentialsMissingError } from '../../telegram/credentials/telegram-credentials.provider';
import {
  LoginExpiredError,
  LoginNotStartedError,
  SessionStateError,
  TelegramFloodWaitError,
  TelegramNotConfiguredError,
  TelegramPasswordNeededError,
  TelegramRejectedError,
  TelegramSessionBusyError,
  TelegramSessionRevokedError,
  TelegramUnavailableError,
} from '../../telegram/telegram.errors';
import {
  AppError,
  BadRequestError,
  ConflictError,
  DependencyUnavailableError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  ValidationFailedError,
} from './app-error';
import { DatabaseUnavailableError } from './database-outage';
import { HTTP_STATUS_BY_KIND, httpResponseOf } from './error-http';
import { toAppError } from './foreign-errors';

const render = (error: AppError) => httpResponseOf(error, 'req-1');

describe('the error table: every domain error → status, headers and body', () => {
  it('maps each kind to one status', () => {
    expect(HTTP_STATUS_BY_KIND).toEqual({
      invalid: 400,
      unauthorized: 401,
      forbidden: 403,
      not_found: 404,
      request_timeout: 408,
      conflict: 409,
      gone: 410,
      too_large: 413,
      uri_too_long: 414,
      unsupported_media_type: 415,
      unprocessable: 422,
      rate_limited: 429,
      headers_too_large: 431,
      unavailable: 503,
    });
  });

  it.each<[string, AppError, number, string, Record<string, string>]>([
    [
      'ValidationFailedError',
      new ValidationFailedError([{ field: 'phone', message: 'bad' }]),
      400,
      'validation_failed',
      {},
    ],
    [
      'BadRequestError',
      new BadRequestError('invalid_cursor', 'Invalid request: cursor'),
      400,
      'invalid_cursor',
      {},
    ],
    ['UnauthorizedError', new UnauthorizedError(), 401, 'unauthorized', { 'WWW-Authenticate': 'Bearer' }],
    ['NotFoundError', new NotFoundError(), 404, 'not_found', {}],
    ['ConflictError', new ConflictError('x_conflict', 'm'), 409, 'x_conflict', {}],
    ['RateLimitedError', new RateLimitedError(2.2), 429, 'rate_limited', { 'Retry-After': '3' }],
    [
      'DependencyUnavailableError',
      new DependencyUnavailableError('redis', 'm'),
      503,
      'dependency_unavailable',
      { 'Retry-After': '5' },
    ],
    [
      'DatabaseUnavailableError',
      new DatabaseUnavailableError(),
      503,
      'dependency_unavailable',
      { 'Retry-After': '5' },
    ],
    [
      'VaultUnavailableError',
      new VaultUnavailableError('sealed', 503, 'encrypt'),
      503,
      'dependency_unavailable',
      { 'Retry-After': '5' },
    ],
    [
      'SecretDecryptionError',
      new SecretDecryptionError('authentication_failed'),
      409,
      'secret_unreadable',
      {},
    ],
    ['CipherNotConfiguredError', new CipherNotConfiguredError('no key'), 503, 'secrets_not_configured', {}],
    [
      'TelegramRejectedError',
      new TelegramRejectedError('unprocessable', 'phone_number_banned', 'm', 'PHONE_NUMBER_BANNED'),
      422,
      'phone_number_banned',
      {},
    ],
    [
      'TelegramFloodWaitError',
      new TelegramFloodWaitError(120),
      429,
      'telegram_flood_wait',
      { 'Retry-After': '120' },
    ],
    [
      'TelegramUnavailableError',
      new TelegramUnavailableError('m', 'timeout'),
      503,
      'dependency_unavailable',
      { 'Retry-After': '5' },
    ],
    [
      'TelegramNotConfiguredError',
      new TelegramNotConfiguredError('m'),
      503,
      'telegram_not_configured',
      { 'Retry-After': '60' },
    ],
    [
      'TelegramCredentialsMissingError',
      new TelegramCredentialsMissingError(),
      503,
      'telegram_not_configured',
      {},
    ],
    [
      'TelegramSessionRevokedError',
      new TelegramSessionRevokedError('SESSION_REVOKED'),
      409,
      'telegram_session_revoked',
      {},
    ],
    [
      'TelegramSessionRevokedError (duplicated)',
      new TelegramSessionRevokedError('AUTH_KEY_DUPLICATED'),
      409,
      'telegram_session_duplicated',
      {},
    ],
    ['TelegramPasswordNeededError', new TelegramPasswordNeededError(), 409, 'password_required', {}],
    [
      'TelegramSessionBusyError',
      new TelegramSessionBusyError(),
      409,
      'telegram_session_busy',
      { 'Retry-After': '1' },
    ],
    ['LoginNotStartedError', new LoginNotStartedError('m'), 409, 'login_not_started', {}],
    ['LoginExpiredError', new LoginExpiredError(), 410, 'login_expired', {}],
    ['SessionStateError', new SessionStateError('session_not_stored', 'm'), 409, 'session_not_stored', {}],
  ])('%s → %i %s', (_name, error, status, code, headers) => {
    const response = render(error);
    expect(response.status).toBe(status);
    expect(response.headers).toEqual(headers);
    expect(response.body).toMatchObject({ status_code: status, code, request_id: 'req-1' });
  });

  it('puts retry_after in the body of a 429 only, and the safe facts of each error', () => {
    expect(render(new RateLimitedError(7)).body).toMatchObject({ retry_after: 7 });
    expect(render(new TelegramSessionBusyError()).body.retry_after).toBeUndefined();
    expect(render(new VaultUnavailableError('sealed')).body).toMatchObject({
      dependency: 'vault',
      message: 'The secret store (Vault) is unavailable: sealed',
    });
    expect(
      render(new TelegramRejectedError('invalid', 'phone_code_invalid', 'm', 'PHONE_CODE_INVALID')).body,
    ).toMatchObject({
      reason: 'PHONE_CODE_INVALID',
    });
  });

  it('foreign errors become domain errors: Nest and Fastify 4xx by status, a lost database 503, the rest nothing (500)', () => {
    expect(render(toAppError(new NotFoundException())!)).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
    expect(render(toAppError(new HttpException('Gone', 410))!)).toMatchObject({
      status: 410,
      body: { code: 'gone' },
    });
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(render(toAppError(tooLarge)!)).toMatchObject({
      status: 413,
      body: { code: 'ctp_body_too_large' },
    });
    const badJson = Object.assign(
      new SyntaxError('Unexpected token } in JSON at position 3: {"password":"x}'),
      { statusCode: 400 },
    );
    expect(render(toAppError(badJson)!).body.message).toBe('Request body is not valid JSON');
    expect(
      render(toAppError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))!).status,
    ).toBe(503);
    expect(toAppError(new TypeError('bug'))).toBeUndefined();
    expect(toAppError(new HttpException('boom', 500))).toBeUndefined();
  });
});
