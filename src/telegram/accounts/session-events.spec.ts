import { sessionEvents } from './session-events';
import type { TelegramSessionEntity } from './telegram-session.entity';

const row = (over: Partial<TelegramSessionEntity>) =>
  ({
    id: 's1',
    phone: '+9996611234',
    loginMethod: 'phone_code',
    status: 'connected',
    dcId: 2,
    ...over,
  }) as TelegramSessionEntity;
const types = (...args: Parameters<typeof sessionEvents>) => sessionEvents(...args).map((e) => e.type);

describe('sessionEvents', () => {
  it('names each transition’s events, subject = the session', () => {
    expect(types(1, { kind: 'code_sent' }, row({ status: 'code_sent' }))).toEqual([
      'telegram.account.login_started',
      'telegram.account.code_sent',
    ]);
    expect(types(1, { kind: 'connected', from: 'qr_pending' }, row({ loginMethod: 'qr' }))).toEqual([
      'telegram.qr_login.scanned',
      'telegram.qr_login.succeeded',
      'telegram.account.connected',
    ]);
    expect(types(1, { kind: 'connected', from: '2fa_required' }, row({ loginMethod: 'qr' }))).toEqual([
      'telegram.qr_login.succeeded',
      'telegram.account.connected',
    ]);
    expect(types(1, { kind: 'connected', from: 'code_sent' }, row({}))).toEqual([
      'telegram.account.connected',
    ]);
    expect(
      types(
        1,
        { kind: 'login_failed', reason: 'login_expired' },
        row({ loginMethod: 'qr', status: 'error' }),
      ),
    ).toEqual(['telegram.qr_login.expired', 'telegram.account.error']);
    const [revoked] = sessionEvents(
      3,
      { kind: 'revoked', reason: 'SESSION_REVOKED' },
      row({ status: 'revoked' }),
    );
    expect(revoked).toEqual({
      type: 'telegram.account.revoked',
      subject: 'sessions/s1',
      userId: 3,
      data: {
        session_id: 's1',
        phone: '+9996611234',
        method: 'phone_code',
        status: 'revoked',
        reason: 'SESSION_REVOKED',
      },
    });
  });
});
