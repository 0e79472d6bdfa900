import { bearer, openTestApp, type OpenedTestApp } from './support/app';

describe('structured logging', () => {
  let t: OpenedTestApp;

  beforeAll(async () => {
    t = await openTestApp({ RATE_LIMIT_ENABLED: 'false' });
  });
  afterAll(() => t.close());

  it('writes one JSON object per line with timestamp, level, logger, message, request id and user id', async () => {
    const token = t.token(77);
    const res = await t.inject({
      url: '/api/v1/telegram/accounts?active_only=true',
      headers: { ...bearer(token), 'x-request-id': 'trace-77' },
    });
    expect(res.headers['x-request-id']).toBe('trace-77');
    const completion = t.logs().find((l) => l.request_id === 'trace-77' && l.status_code === 200);
    expect(completion).toMatchObject({
      level: 'info',
      user_id: 77,
      message: 'GET /api/v1/telegram/accounts 200',
    });
    expect(typeof completion?.timestamp).toBe('string');
    const nestLine = t.logs().find((l) => l.logger === 'RoutesResolver');
    expect(nestLine).toMatchObject({ level: 'info', message: expect.any(String) });
  });

  it('fields of one line never leak into the next lines of the same request', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/telegram/connect',
      headers: { ...bearer(t.token(79)), 'x-request-id': 'trace-79' },
      payload: { phone: '+9996611234' },
    });
    expect(res.statusCode).toBe(200);
    const lines = t.logs().filter((l) => l.request_id === 'trace-79');
    const service = lines.find((l) => l.logger === 'PhoneLoginService');
    expect(service).toMatchObject({ user_id: 79, message: 'Telegram login code sent' });
    const completion = lines.find((l) => l.status_code === 200);
    expect(completion).toMatchObject({ user_id: 79, method: 'POST', path: '/api/v1/telegram/connect' });
    expect(completion).not.toHaveProperty('logger');
    expect(completion).not.toHaveProperty('session_id');
  });

  it('never logs the Authorization header, the token, or query strings', async () => {
    const token = t.token(78);
    await t.inject({ url: '/api/v1/telegram/accounts?active_only=true', headers: bearer(token) });
    await t.inject({
      url: '/api/v1/telegram/accounts',
      headers: { authorization: 'Bearer garbage.token.value' },
    });
    const raw = t.rawLogs();
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(token.split('.')[2]);
    expect(raw).not.toContain('garbage.token.value');
    expect(raw).not.toContain('active_only=true');
  });

  it('scrubs secrets and masks phone fields in anything a module logs', async () => {
    const { PinoLogger } = await import('nestjs-pino');
    const logger = await t.app.resolve(PinoLogger);
    logger.setContext('ScrubCheck');
    logger.info(
      {
        phone: '+9996621234',
        password: 'emulator-2fa',
        code: '22222',
        session_string: '1AgAOMTQ5LjE1NC4xNjcuNTA',
        nested: { bot_token: '123456:ABC-DEF' },
      },
      'login with password=emulator-2fa',
    );
    const line = t.logs().find((l) => l.logger === 'ScrubCheck');
    expect(line).toBeDefined();
    const raw = JSON.stringify(line);
    for (const secret of [
      'emulator-2fa',
      '22222',
      '1AgAOMTQ5LjE1NC4xNjcuNTA',
      '123456:ABC-DEF',
      '9996621234',
    ]) {
      expect(raw).not.toContain(secret);
    }
    expect(line?.phone).toBe('+999*****34');
  });
});
