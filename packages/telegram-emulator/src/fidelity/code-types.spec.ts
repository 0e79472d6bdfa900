import { Api, errors } from 'telegram';
import { TelegramEmulator } from '../emulator';
import { API, ClientPool } from '../testing';

/**
 * method/auth.sendCode, method/auth.resendCode: auth.sentCode carries `type`, and `next_type` +
 * `timeout` when another medium is available; auth.resendCode sends by that `next_type`, and answers
 * 406 SEND_CODE_UNAVAILABLE when none is left.
 */
describe('emulator rule fidelity #1: code types and resending (auth.sendCode / auth.resendCode)', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator({ resendTimeoutSeconds: 42 });
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  const sendCode = async (phone: string): Promise<{ client: TestClient; sent: Api.auth.SentCode }> => {
    const { client } = await pool.connected();
    const sent = await client.invoke(
      new Api.auth.SendCode({ phoneNumber: phone, ...API, settings: new Api.CodeSettings({}) }),
    );
    return { client, sent: sent as Api.auth.SentCode };
  };
  type TestClient = Awaited<ReturnType<ClientPool['connected']>>['client'];

  it('YYYY outside 4000–5999: sentCodeTypeApp, no next_type, no timeout; a resend is SEND_CODE_UNAVAILABLE', async () => {
    const { client, sent } = await sendCode('+9996611234');
    expect(sent.type).toBeInstanceOf(Api.auth.SentCodeTypeApp);
    expect(sent.nextType).toBeNull();
    expect(sent.timeout).toBeNull();
    const resend = client.invoke(
      new Api.auth.ResendCode({ phoneNumber: '+9996611234', phoneCodeHash: sent.phoneCodeHash }),
    );
    await expect(resend).rejects.toMatchObject({ code: 406, errorMessage: 'SEND_CODE_UNAVAILABLE' });
  });

  it('YYYY 4000–4999: sentCodeTypeSms with next_type call and the timeout; resendCode calls once, then 406', async () => {
    const { client, sent } = await sendCode('+9996614321');
    expect(sent.type).toBeInstanceOf(Api.auth.SentCodeTypeSms);
    expect(sent.nextType).toBeInstanceOf(Api.auth.CodeTypeCall);
    expect(sent.timeout).toBe(42);
    const again = (await client.invoke(
      new Api.auth.ResendCode({ phoneNumber: '+9996614321', phoneCodeHash: sent.phoneCodeHash }),
    )) as Api.auth.SentCode;
    expect(again.type).toBeInstanceOf(Api.auth.SentCodeTypeCall);
    expect(again.nextType).toBeNull();
    expect(emulator.codesSent('9996614321')).toBe(2);
    // The code is unchanged and still signs in.
    const auth = await client.invoke(
      new Api.auth.SignIn({
        phoneNumber: '+9996614321',
        phoneCodeHash: again.phoneCodeHash,
        phoneCode: '11111',
      }),
    );
    expect(auth).toBeInstanceOf(Api.auth.Authorization);
  });

  it('a third send of an SMS login is SEND_CODE_UNAVAILABLE; a foreign hash is PHONE_CODE_EXPIRED', async () => {
    const { client, sent } = await sendCode('+9996614321');
    const hash = sent.phoneCodeHash;
    await client.invoke(new Api.auth.ResendCode({ phoneNumber: '+9996614321', phoneCodeHash: hash }));
    await expect(
      client.invoke(new Api.auth.ResendCode({ phoneNumber: '+9996614321', phoneCodeHash: hash })),
    ).rejects.toMatchObject({ code: 406, errorMessage: 'SEND_CODE_UNAVAILABLE' });
    await expect(
      client.invoke(new Api.auth.ResendCode({ phoneNumber: '+9996614321', phoneCodeHash: 'feedface' })),
    ).rejects.toMatchObject({ code: 400, errorMessage: 'PHONE_CODE_EXPIRED' });
    await expect(
      client.invoke(new Api.auth.ResendCode({ phoneNumber: '+1555', phoneCodeHash: hash })),
    ).rejects.toBeInstanceOf(errors.RPCError);
  });

  it('YYYY 5000–5999: sentCodeTypeSetUpEmailRequired (the account must set up a login email first)', async () => {
    const { sent } = await sendCode('+9996615000');
    expect(sent.type).toBeInstanceOf(Api.auth.SentCodeTypeSetUpEmailRequired);
    expect(sent.nextType).toBeNull();
  });
});
