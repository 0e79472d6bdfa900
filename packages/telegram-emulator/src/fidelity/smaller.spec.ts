import { Api } from 'telegram';
import { returnBigInt } from 'telegram/Helpers';
import { TelegramEmulator } from '../emulator';
import { EmulatorControlError } from '../errors';
import { API, ClientPool, signInWithCode } from '../testing';

/**
 * Fidelity #9, each against its page: SESSION_PASSWORD_NEEDED (api/auth.html: a key past auth.signIn but
 * before auth.checkPassword), api/qr-login.html (signed in when accepted; except_ids), method/auth.sendCode
 * and auth.signIn (406 PHONE_NUMBER_INVALID), auth.authorization's setup_password_required /
 * otherwise_relogin_days (YYYY 1900–1999).
 */
describe('emulator rule fidelity #9: the smaller rules', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  it('a key waiting for its 2FA password gets 401 SESSION_PASSWORD_NEEDED from methods that need sign-in', async () => {
    const { client } = await pool.connected();
    await expect(signInWithCode(client, '+9996612345')).rejects.toMatchObject({
      errorMessage: 'SESSION_PASSWORD_NEEDED',
    });
    for (const request of [
      new Api.users.GetFullUser({ id: new Api.InputUserSelf() }),
      new Api.updates.GetState(),
    ]) {
      await expect(client.invoke(request)).rejects.toMatchObject({
        code: 401,
        errorMessage: 'SESSION_PASSWORD_NEEDED',
      });
    }
    expect(await client.invoke(new Api.account.GetPassword())).toBeInstanceOf(Api.account.Password);
  });

  it('a QR login is signed in when the token is accepted, before the next export', async () => {
    const t = await pool.connected();
    const token = (await t.client.invoke(
      new Api.auth.ExportLoginToken({ ...API, exceptIds: [] }),
    )) as Api.auth.LoginToken;
    emulator.scanQrToken(Buffer.from(token.token), '+9996611234');
    expect(emulator.sessionInfo(t.save())).toMatchObject({ phone: '9996611234' });
    expect(await t.client.getMe()).toMatchObject({ phone: '9996611234' });
    const after = await t.client.invoke(new Api.auth.ExportLoginToken({ ...API, exceptIds: [] }));
    expect(after).toBeInstanceOf(Api.auth.LoginTokenSuccess);
  });

  it('except_ids: a user already logged in on the exporting app cannot accept its token', async () => {
    const t = await pool.connected();
    const userId = 7_000_000_000n + 11_234n; // 99966 1 1234
    const token = (await t.client.invoke(
      new Api.auth.ExportLoginToken({ ...API, exceptIds: [returnBigInt(userId)] }),
    )) as Api.auth.LoginToken;
    expect(() => emulator.scanQrToken(Buffer.from(token.token), '+9996611234')).toThrow(EmulatorControlError);
    expect(() => emulator.scanQrToken(Buffer.from(token.token), '+9996611234')).toThrow('AUTH_TOKEN_INVALID');
    emulator.scanQrToken(Buffer.from(token.token), '+9996611235');
    expect(emulator.sessionInfo(t.save())).toMatchObject({ phone: '9996611235' });
  });

  it('406 PHONE_NUMBER_INVALID at auth.sendCode and auth.signIn', async () => {
    const { client } = await pool.connected();
    await expect(
      client.invoke(
        new Api.auth.SendCode({ phoneNumber: '+15550001', ...API, settings: new Api.CodeSettings({}) }),
      ),
    ).rejects.toMatchObject({ code: 406, errorMessage: 'PHONE_NUMBER_INVALID' });
    await expect(
      client.invoke(new Api.auth.SignIn({ phoneNumber: '+15550001', phoneCodeHash: 'x', phoneCode: '1' })),
    ).rejects.toMatchObject({ code: 406, errorMessage: 'PHONE_NUMBER_INVALID' });
  });

  it('YYYY 1900–1999: auth.authorization says setup_password_required with otherwise_relogin_days 7', async () => {
    const { client } = await pool.connected();
    const auth = (await signInWithCode(client, '+9996611950')) as Api.auth.Authorization;
    expect(auth).toMatchObject({ setupPasswordRequired: true, otherwiseReloginDays: 7 });
    const plain = (await signInWithCode(
      (await pool.connected()).client,
      '+9996611850',
    )) as Api.auth.Authorization;
    expect(plain.setupPasswordRequired).toBeFalsy();
    expect(plain.otherwiseReloginDays ?? undefined).toBeUndefined();
  });
});
