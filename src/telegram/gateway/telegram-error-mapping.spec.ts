import { Api, errors } from 'telegram';
import { AppError, ConflictError } from '../../common/errors/app-error';
import { httpResponseOf } from '../../common/errors/error-http';
import {
  TelegramFloodWaitError,
  TelegramNotConfiguredError,
  TelegramPasswordNeededError,
  TelegramRejectedError,
  TelegramSessionRevokedError,
  TelegramUnavailableError,
} from '../telegram.errors';
import {
  classifyTelegramError,
  poisonsClient,
  TelegramCallTimeoutError,
  toDomainError,
} from './telegram-error-mapping';

/** What the one error table makes of a domain error: status, headers and the body's extra fields. */
function http(error: AppError | undefined): {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
} {
  if (!error) throw new Error('no domain error');
  return httpResponseOf(error, 'request-id');
}

/** The error GramJS raises for an rpc_error answer, built exactly as MTProtoSender does. */
function rpc(
  errorCode: number,
  errorMessage: string,
  request: Api.AnyRequest = new Api.auth.LogOut(),
): unknown {
  return errors.RPCMessageToError(new Api.RpcError({ errorCode, errorMessage }), request);
}

const signIn = new Api.auth.SignIn({ phoneNumber: '+9996611234', phoneCodeHash: 'h', phoneCode: '11111' });

describe('classifyTelegramError: GramJS errors → domain errors, in one place', () => {
  it('PHONE_NUMBER_FLOOD (no N given) → 429 phone_number_flood with Retry-After: 3600; PHONE_NUMBER_BANNED → 422', () => {
    const flood = classifyTelegramError(rpc(400, 'PHONE_NUMBER_FLOOD'));
    expect(http(flood)).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '3600' },
      body: { code: 'phone_number_flood', retry_after: 3600, reason: 'PHONE_NUMBER_FLOOD' },
    });
    expect(http(classifyTelegramError(rpc(400, 'PHONE_NUMBER_BANNED')))).toMatchObject({
      status: 422,
      body: { code: 'phone_number_banned' },
    });
  });

  it('FLOOD_WAIT_N → 429 telegram_flood_wait with Retry-After: N', () => {
    const error = classifyTelegramError(
      rpc(
        420,
        'FLOOD_WAIT_120',
        new Api.auth.SendCode({
          phoneNumber: '+9996618123',
          apiId: 1,
          apiHash: 'x',
          settings: new Api.CodeSettings({}),
        }),
      ),
    );
    expect(error).toBeInstanceOf(TelegramFloodWaitError);
    expect(error).toMatchObject({ code: 'telegram_flood_wait', seconds: 120 });
    expect(http(error)).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '120' },
      body: { retry_after: 120 },
    });
  });

  it.each([
    ['FLOOD_TEST_PHONE_WAIT_30', 30],
    ['SLOWMODE_WAIT_7', 7],
    ['FLOOD_PREMIUM_WAIT_5', 5],
  ])('%s is a flood wait too (%i s)', (message, seconds) => {
    const error = classifyTelegramError(rpc(420, message));
    expect(error).toMatchObject({ seconds });
    expect(http(error).status).toBe(429);
  });

  it.each([
    ['PHONE_NUMBER_INVALID', 400, 400],
    ['PHONE_CODE_INVALID', 400, 400],
    ['PHONE_CODE_EXPIRED', 400, 400],
    ['PHONE_CODE_EMPTY', 400, 400],
    ['PASSWORD_HASH_INVALID', 400, 400],
    ['SRP_ID_INVALID', 400, 400],
    ['PHONE_NUMBER_BANNED', 400, 422],
    ['PHONE_NUMBER_UNOCCUPIED', 400, 422],
    ['AUTH_TOKEN_EXPIRED', 400, 410],
  ])('%s (%i) → %i with code = the reason in lower case', (message, rpcCode, status) => {
    const error = classifyTelegramError(rpc(rpcCode, message, signIn));
    expect(error).toBeInstanceOf(TelegramRejectedError);
    expect(error).toMatchObject({ code: message.toLowerCase(), reason: message });
    expect(error?.details).toEqual({ reason: message });
    expect(http(error).status).toBe(status);
    // Fixed texts: nothing from the request (phone, code) is echoed.
    expect(error?.message).not.toContain('9996611234');
    expect(error?.message).not.toContain('11111');
  });

  it('SESSION_PASSWORD_NEEDED is the 2FA step, not a failure', () => {
    expect(classifyTelegramError(rpc(401, 'SESSION_PASSWORD_NEEDED', signIn))).toBeInstanceOf(
      TelegramPasswordNeededError,
    );
  });

  it.each([
    'AUTH_KEY_UNREGISTERED',
    'SESSION_REVOKED',
    'SESSION_EXPIRED',
    'USER_DEACTIVATED',
    'USER_DEACTIVATED_BAN',
  ])('%s → the session is revoked (reason kept)', (reason) => {
    const error = classifyTelegramError(rpc(401, reason));
    expect(error).toBeInstanceOf(TelegramSessionRevokedError);
    expect(error).toMatchObject({ code: 'telegram_session_revoked', reason, duplicated: false });
    expect(http(error).status).toBe(409);
  });

  it('AUTH_KEY_DUPLICATED (406) → the session is dead, a new login is needed', () => {
    const error = classifyTelegramError(rpc(406, 'AUTH_KEY_DUPLICATED'));
    expect(error).toBeInstanceOf(TelegramSessionRevokedError);
    expect(error).toMatchObject({
      code: 'telegram_session_duplicated',
      reason: 'AUTH_KEY_DUPLICATED',
      duplicated: true,
    });
  });

  it('other 401s (AUTH_KEY_INVALID…) also mean the session is unusable', () => {
    expect(classifyTelegramError(rpc(401, 'AUTH_KEY_PERM_EMPTY'))).toBeInstanceOf(
      TelegramSessionRevokedError,
    );
  });

  it.each([
    [500, 'INTERNAL_SERVER_ERROR'],
    [500, 'RPC_CALL_FAIL'],
    [-503, 'Timedout'],
  ])('%i %s → 503 telegram unavailable (server_error)', (code, message) => {
    const error = classifyTelegramError(rpc(code, message));
    expect(error).toBeInstanceOf(TelegramUnavailableError);
    expect(error).toMatchObject({ code: 'dependency_unavailable', reason: 'server_error' });
    expect(http(error)).toMatchObject({ status: 503, body: { dependency: 'telegram' } });
  });

  it('API_ID_INVALID → 503 telegram_not_configured', () => {
    expect(classifyTelegramError(rpc(400, 'API_ID_INVALID'))).toBeInstanceOf(TelegramNotConfiguredError);
  });

  it('unknown 400s keep their reason; odd texts become TELEGRAM_ERROR', () => {
    const unknown = classifyTelegramError(rpc(400, 'USERNAME_INVALID'));
    expect(unknown).toMatchObject({ code: 'username_invalid' });
    expect(http(unknown).status).toBe(400);
    const odd = classifyTelegramError(rpc(403, 'some text with +9996611234'));
    expect(odd).toMatchObject({ code: 'telegram_error', reason: 'TELEGRAM_ERROR' });
    expect(http(odd).status).toBe(422);
  });

  it('our own timeout → 503 with reason timeout', () => {
    const error = classifyTelegramError(new TelegramCallTimeoutError('auth.SignIn', 15000));
    expect(error).toBeInstanceOf(TelegramUnavailableError);
    expect(error).toMatchObject({ reason: 'timeout', message: expect.stringContaining('15000 ms') });
    expect(http(error).headers['Retry-After']).toBeDefined();
  });

  it.each([
    new Error('Cannot send requests while disconnected. You need to call .connect()'),
    new Error('Not connected'),
    new Error('Request was unsuccessful 3 time(s)'),
    Object.assign(new Error('connect ECONNREFUSED 149.154.167.51:443'), { code: 'ECONNREFUSED' }),
    'Maximum reconnection retries reached. Aborting!',
  ])('transport failure %p → 503 network', (failure) => {
    expect(classifyTelegramError(failure)).toMatchObject({ reason: 'network' });
    expect(http(classifyTelegramError(failure)).status).toBe(503);
  });

  it('leaves our own bugs alone (they stay 500) and passes domain errors through', () => {
    const bug = new TypeError('x is undefined');
    expect(classifyTelegramError(bug)).toBeUndefined();
    expect(toDomainError(bug)).toBe(bug);
    const domain = new ConflictError('c', 'm');
    expect(classifyTelegramError(domain)).toBe(domain);
  });

  it('tells which failures leave the client unusable', () => {
    expect(poisonsClient(classifyTelegramError(rpc(400, 'PHONE_CODE_INVALID')))).toBe(false);
    expect(poisonsClient(classifyTelegramError(rpc(420, 'FLOOD_WAIT_3')))).toBe(false);
    expect(poisonsClient(classifyTelegramError(rpc(401, 'AUTH_KEY_UNREGISTERED')))).toBe(true);
    expect(poisonsClient(classifyTelegramError(new TelegramCallTimeoutError('x', 1)))).toBe(true);
    expect(poisonsClient(new TypeError('bug'))).toBe(true);
    expect(new TelegramPasswordNeededError()).toBeInstanceOf(AppError);
  });
});
