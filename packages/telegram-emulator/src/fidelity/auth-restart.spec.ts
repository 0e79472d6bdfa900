import { Api } from 'telegram';
import { TelegramEmulator } from '../emulator';
import { API, ClientPool } from '../testing';

/**
 * method/auth.sendCode and method/auth.signIn list 500 AUTH_RESTART, "Restart the authorization
 * process". YYYY 6000–6499 get it once at auth.sendCode, 6500–6999 once at auth.signIn (with the right
 * code; that login's phone_code_hash is void afterwards). GramJS does not retry it by itself.
 */
describe('emulator rule fidelity #7: AUTH_RESTART', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;
  const sendCode = (phone: string) =>
    new Api.auth.SendCode({ phoneNumber: phone, ...API, settings: new Api.CodeSettings({}) });

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  it('YYYY 6000–6499: auth.sendCode answers 500 AUTH_RESTART once, then sends the code', async () => {
    const { client } = await pool.connected();
    await expect(client.invoke(sendCode('+9996616123'))).rejects.toMatchObject({
      code: 500,
      errorMessage: 'AUTH_RESTART',
    });
    expect(emulator.requestCount('auth.SendCode')).toBe(1); // not retried inside GramJS
    expect(emulator.codesSent('9996616123')).toBe(0);
    expect(await client.invoke(sendCode('+9996616123'))).toBeInstanceOf(Api.auth.SentCode);
    expect(emulator.codesSent('9996616123')).toBe(1);
  });

  it('YYYY 6500–6999: auth.signIn with the right code answers AUTH_RESTART once; that hash is void, a new login works', async () => {
    const { client } = await pool.connected();
    const phone = '+9996616543';
    const first = (await client.invoke(sendCode(phone))) as Api.auth.SentCode;
    const signIn = (hash: string, phoneCode = '11111') =>
      client.invoke(new Api.auth.SignIn({ phoneNumber: phone, phoneCodeHash: hash, phoneCode }));
    await expect(signIn(first.phoneCodeHash, '12345')).rejects.toMatchObject({
      errorMessage: 'PHONE_CODE_INVALID',
    });
    await expect(signIn(first.phoneCodeHash)).rejects.toMatchObject({
      code: 500,
      errorMessage: 'AUTH_RESTART',
    });
    await expect(signIn(first.phoneCodeHash)).rejects.toMatchObject({ errorMessage: 'PHONE_CODE_EXPIRED' });
    const second = (await client.invoke(sendCode(phone))) as Api.auth.SentCode;
    expect(await signIn(second.phoneCodeHash)).toBeInstanceOf(Api.auth.Authorization);
  });

  it('other numbers never get it', async () => {
    const { client } = await pool.connected();
    expect(await client.invoke(sendCode('+9996615999'))).toBeInstanceOf(Api.auth.SentCode);
    await expect(client.invoke(sendCode('+9996617000'))).rejects.toMatchObject({
      errorMessage: 'PHONE_NUMBER_FLOOD',
    });
  });
});
