import { Api } from 'telegram';
import { computeCheck } from 'telegram/Password';
import { StringSession } from 'telegram/sessions';
import { EMULATOR_2FA_PASSWORD } from './accounts';
import { TelegramEmulator } from './emulator';
import { EmulatorControlError } from './errors';
import { API, ClientPool, signInWithCode, type TestClient } from './testing';

const exportToken = (t: TestClient) =>
  t.client.invoke(new Api.auth.ExportLoginToken({ apiId: API.apiId, apiHash: API.apiHash, exceptIds: [] }));

async function exportLoginToken(t: TestClient): Promise<Api.auth.LoginToken> {
  const result = await exportToken(t);
  if (!(result instanceof Api.auth.LoginToken))
    throw new Error(`expected LoginToken, got ${result.className}`);
  return result;
}

/** Resolves on the first UpdateLoginToken GramJS dispatches to the client's event handlers. */
function nextLoginTokenUpdate(t: TestClient): Promise<Api.UpdateLoginToken> {
  return new Promise((resolve) => {
    t.client.addEventHandler((update: unknown) => {
      if (update instanceof Api.UpdateLoginToken) resolve(update);
    });
  });
}

describe('emulator: QR login through the real GramJS client', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  it('exports a token (30 s), repeats it until scanned, pushes UpdateLoginToken, then succeeds', async () => {
    const t = await pool.connected();
    const first = await exportLoginToken(t);
    expect(first.token.length).toBeGreaterThanOrEqual(16);
    expect(first.expires - Math.floor(emulator.now() / 1000)).toBeGreaterThanOrEqual(29);
    expect(first.expires - Math.floor(emulator.now() / 1000)).toBeLessThanOrEqual(30);
    const again = await exportLoginToken(t);
    expect(again.token.equals(first.token)).toBe(true);

    const updated = nextLoginTokenUpdate(t);
    emulator.scanQrToken(`tg://login?token=${first.token.toString('base64url')}`, '+9996611234');
    await expect(updated).resolves.toBeInstanceOf(Api.UpdateLoginToken);

    const result = await exportToken(t);
    expect(result).toBeInstanceOf(Api.auth.LoginTokenSuccess);
    const user = ((result as Api.auth.LoginTokenSuccess).authorization as Api.auth.Authorization)
      .user as Api.User;
    expect(user.phone).toBe('9996611234');
    expect((await t.client.getMe()).phone).toBe('9996611234');
    expect(emulator.sessionInfo(t.save())).toMatchObject({ dcId: 1, phone: '9996611234' });
  });

  it('issues a fresh token once the old one expired, and refuses to scan expired tokens', async () => {
    const t = await pool.connected();
    const first = await exportLoginToken(t);
    emulator.advanceTime(30_001);
    expect(() => emulator.scanQrToken(first.token, '9996611234')).toThrow(EmulatorControlError);
    expect(() => emulator.scanQrToken(first.token, '9996611234')).toThrow('AUTH_TOKEN_EXPIRED');
    const second = await exportLoginToken(t);
    expect(second.token.equals(first.token)).toBe(false);
    expect(() => emulator.scanQrToken(Buffer.from('no such token'), '9996611234')).toThrow(
      'AUTH_TOKEN_INVALID',
    );
    emulator.scanQrToken(second.token, '9996611234');
    expect(() => emulator.scanQrToken(second.token, '9996611234')).toThrow('AUTH_TOKEN_ALREADY_ACCEPTED');
  });

  it('answers LoginTokenMigrateTo for a user on another DC; ImportLoginToken there succeeds', async () => {
    const t = await pool.connected();
    const { token } = await exportLoginToken(t);
    emulator.scanQrToken(token, '9996631234');

    const result = await exportToken(t);
    expect(result).toBeInstanceOf(Api.auth.LoginTokenMigrateTo);
    const migrate = result as Api.auth.LoginTokenMigrateTo;
    expect(migrate.dcId).toBe(3);

    await t.client._switchDC(migrate.dcId);
    const imported = await t.client.invoke(new Api.auth.ImportLoginToken({ token: migrate.token }));
    expect(imported).toBeInstanceOf(Api.auth.LoginTokenSuccess);
    expect((await t.client.getMe()).phone).toBe('9996631234');
    const saved = t.save();
    expect(new StringSession(saved).dcId).toBe(3);
    expect(emulator.sessionInfo(saved)).toMatchObject({ dcId: 3, phone: '9996631234' });
    await expect(
      t.client.invoke(new Api.auth.ImportLoginToken({ token: migrate.token })),
    ).rejects.toMatchObject({
      errorMessage: 'AUTH_TOKEN_ALREADY_ACCEPTED',
    });
  });

  it('goes through 2FA when the scanning user has a password (same DC)', async () => {
    const t = await pool.connected();
    const { token } = await exportLoginToken(t);
    emulator.scanQrToken(token, '9996612345');
    await expect(exportToken(t)).rejects.toMatchObject({
      code: 401,
      errorMessage: 'SESSION_PASSWORD_NEEDED',
    });

    const pw = await t.client.invoke(new Api.account.GetPassword());
    await t.client.invoke(
      new Api.auth.CheckPassword({ password: await computeCheck(pw, EMULATOR_2FA_PASSWORD) }),
    );
    expect((await t.client.getMe()).phone).toBe('9996612345');
  });

  it('goes through migrate and then 2FA for a password user on another DC', async () => {
    const t = await pool.connected();
    const { token } = await exportLoginToken(t);
    emulator.scanQrToken(token, '9996622345');
    const migrate = (await exportToken(t)) as Api.auth.LoginTokenMigrateTo;
    expect(migrate).toBeInstanceOf(Api.auth.LoginTokenMigrateTo);
    await t.client._switchDC(migrate.dcId);
    await expect(
      t.client.invoke(new Api.auth.ImportLoginToken({ token: migrate.token })),
    ).rejects.toMatchObject({
      errorMessage: 'SESSION_PASSWORD_NEEDED',
    });
    const pw = await t.client.invoke(new Api.account.GetPassword());
    await t.client.invoke(
      new Api.auth.CheckPassword({ password: await computeCheck(pw, EMULATOR_2FA_PASSWORD) }),
    );
    expect((await t.client.getMe()).phone).toBe('9996622345');
    expect(t.session.dcId).toBe(2);
  });

  it('lets a signed-in client scan the token with auth.AcceptLoginToken', async () => {
    const phone = await pool.connected();
    await signInWithCode(phone.client, '9996611234');
    const desktop = await pool.connected();
    const { token } = await exportLoginToken(desktop);
    const updated = nextLoginTokenUpdate(desktop);

    const accepted = await phone.client.invoke(new Api.auth.AcceptLoginToken({ token }));
    expect(accepted).toBeInstanceOf(Api.Authorization);
    expect(accepted.apiId).toBe(API.apiId);
    await updated;
    expect(await exportToken(desktop)).toBeInstanceOf(Api.auth.LoginTokenSuccess);
    expect((await desktop.client.getMe()).phone).toBe('9996611234');
  });
});
