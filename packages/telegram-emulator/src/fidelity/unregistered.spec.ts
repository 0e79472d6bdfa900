import { Api } from 'telegram';
import { TelegramEmulator } from '../emulator';
import { EmulatorControlError } from '../errors';
import { API, ClientPool } from '../testing';

/**
 * api/auth.html + method/auth.signIn: a number no account uses still gets a code, and auth.signIn
 * with the right code answers auth.authorizationSignUpRequired (the layer GramJS speaks; older
 * layers: 400 PHONE_NUMBER_UNOCCUPIED). A wrong code is still PHONE_CODE_INVALID.
 */
describe('emulator rule fidelity #2: unregistered numbers (YYYY 9000–9999)', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  it('sends a code; the right code answers auth.authorizationSignUpRequired, a wrong one PHONE_CODE_INVALID', async () => {
    const { client } = await pool.connected();
    const phone = '+9996619123';
    const sent = await client.sendCode(API, phone);
    const signIn = (phoneCode: string) =>
      client.invoke(
        new Api.auth.SignIn({ phoneNumber: phone, phoneCodeHash: sent.phoneCodeHash, phoneCode }),
      );
    await expect(signIn('12345')).rejects.toMatchObject({ code: 400, errorMessage: 'PHONE_CODE_INVALID' });
    expect(await signIn('11111')).toBeInstanceOf(Api.auth.AuthorizationSignUpRequired);
    expect(await client.isUserAuthorized()).toBe(false);
  });

  it('cannot scan a QR code: no such Telegram user', async () => {
    expect(() => emulator.scanQrToken(Buffer.alloc(16), '+9996619123')).toThrow(EmulatorControlError);
    expect(() => emulator.scanQrToken(Buffer.alloc(16), '+9996619123')).toThrow('PHONE_NUMBER_INVALID');
  });
});
