import { TelegramUnavailableError } from '../telegram.errors';
import {
  TelegramFloodWaitError,
  TelegramRejectedError,
  TelegramSessionBusyError,
  TelegramSessionRevokedError,
} from '../telegram.errors';
import {
  CipherNotConfiguredError,
  SecretDecryptionError,
  VaultSecretNotFoundError,
  VaultUnavailableError,
} from '../../vault';
import { TelegramCredentialsMissingError } from '../credentials/telegram-credentials.provider';
import { TelegramNotConfiguredError } from '../telegram.errors';
import { backoffMs, failureOutcome } from './send-outcome';

const rejected = (reason: string) =>
  new TelegramRejectedError(
    'invalid',
    reason.toLowerCase(),
    `Telegram rejected the request (${reason})`,
    reason,
  );

describe('failureOutcome', () => {
  it('a secret that cannot be opened parks the message (secrets_unavailable), never fails it', () => {
    for (const error of [
      new VaultUnavailableError('unreachable'),
      new CipherNotConfiguredError('Transit key "telegram-sessions" does not exist'),
      new SecretDecryptionError('key_not_found'),
      new VaultSecretNotFoundError('secret/data/integrations/telegram'),
    ]) {
      expect(failureOutcome(error)).toMatchObject({ kind: 'park', code: 'secrets_unavailable' });
    }
  });

  it('missing Telegram API credentials park it too (telegram_not_configured)', () => {
    expect(failureOutcome(new TelegramCredentialsMissingError())).toMatchObject({
      kind: 'park',
      code: 'telegram_not_configured',
    });
    expect(failureOutcome(new TelegramNotConfiguredError('unusable'))).toMatchObject({ kind: 'park' });
  });

  it('PostgreSQL unreachable is retried, not failed', () => {
    const lost = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(failureOutcome(lost)).toMatchObject({ kind: 'retry', code: 'dependency_unavailable' });
  });

  it('FLOOD_WAIT and SLOWMODE_WAIT wait, telling the kinds apart', () => {
    expect(failureOutcome(new TelegramFloodWaitError(7))).toMatchObject({
      kind: 'wait',
      seconds: 7,
      code: 'flood_wait',
    });
    expect(failureOutcome(new TelegramFloodWaitError(30, 'slowmode'))).toMatchObject({
      kind: 'wait',
      waitKind: 'slowmode',
      code: 'slowmode_wait',
    });
  });

  it.each([
    'CHAT_WRITE_FORBIDDEN',
    'CHAT_ADMIN_REQUIRED',
    'CHANNEL_PRIVATE',
    'USER_BANNED_IN_CHANNEL',
    'MESSAGE_TOO_LONG',
  ])('%s fails with the reason', (reason) => {
    expect(failureOutcome(rejected(reason))).toEqual({
      kind: 'fail',
      code: reason.toLowerCase(),
      message: expect.any(String),
    });
  });

  it('PEER_FLOOD fails and rests the sender; a revoked session revokes the sender', () => {
    expect(failureOutcome(rejected('PEER_FLOOD'))).toMatchObject({ kind: 'fail', pauseSender: true });
    expect(failureOutcome(new TelegramSessionRevokedError('AUTH_KEY_UNREGISTERED'))).toMatchObject({
      kind: 'revoked',
      code: 'sender_revoked',
    });
  });

  it('timeouts, Telegram unavailable, a busy session and our own bugs retry', () => {
    expect(failureOutcome(new TelegramUnavailableError('x', 'timeout')).kind).toBe('retry');
    expect(failureOutcome(new TelegramSessionBusyError()).kind).toBe('retry');
    expect(failureOutcome(new Error('boom'))).toMatchObject({ kind: 'retry', code: 'internal_error' });
  });

  it('backs off exponentially, capped at 5 minutes', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(1000, n))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(1000, 30)).toBe(300_000);
  });
});
