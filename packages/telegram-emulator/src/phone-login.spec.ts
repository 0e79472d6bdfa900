import { Api, errors } from 'telegram';
import { StringSession } from 'telegram/sessions';
import { TelegramEmulator } from './emulator';
import { API, ClientPool, signInWithCode } from './testing';

describe('emulator: login by phone code through the real GramJS client', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  it('sends a code (auth.SentCodeTypeApp, length 5) and signs in with it', async () => {
    const { client } = await pool.connected();
    const sent = await client.sendCode(API, '+9996611234');
    expect(sent.isCodeViaApp).toBe(true);
    expect(sent.phoneCodeHash).toMatch(/^[0-9a-f]{18}$/);

    const auth = await client.invoke(
      new Api.auth.SignIn({
        phoneNumber: '+9996611234',
        phoneCodeHash: sent.phoneCodeHash,
        phoneCode: '11111',
      }),
    );
    expect(auth).toBeInstanceOf(Api.auth.Authorization);
    const user = (auth as Api.auth.Authorization).user as Api.User;
    expect(user).toMatchObject({ self: true, phone: '9996611234', username: 'emu9996611234' });
    expect(user.id.toString()).toBe('7000011234');
    expect(await client.isUserAuthorized()).toBe(true);
  });

  it('records the codes it sent: one per SendCode answered with a code, none for PHONE_MIGRATE or FLOOD_WAIT', async () => {
    const { client } = await pool.connected();
    await client.sendCode(API, '+9996631234'); // DC 1 answers PHONE_MIGRATE_3, DC 3 sends the code
    await expect(client.sendCode(API, '+9996618123')).rejects.toThrow(); // FLOOD_WAIT_120
    expect(emulator.requestCount('auth.SendCode')).toBeGreaterThanOrEqual(3);
    expect(emulator.codesSent()).toBe(1);
    expect(emulator.codesSent('9996631234')).toBe(1);
    expect(emulator.codesSent('+9996618123')).toBe(0);
    emulator.resetRequestCounts();
    expect(emulator.codesSent()).toBe(0);
  });

  it('restores a saved StringSession in a new client: getMe works, the emulator knows the key', async () => {
    const first = await pool.connected();
    await signInWithCode(first.client, '9996611234');
    const saved = first.save();
    expect(saved.startsWith('1')).toBe(true);
    await first.client.destroy();

    expect(emulator.sessionInfo(saved)).toMatchObject({ dcId: 1, known: true, phone: '9996611234' });
    const second = await pool.connected(saved);
    const me = await second.client.getMe();
    expect(me.phone).toBe('9996611234');
    expect(me.firstName).toBe('Elif');
    expect(second.save()).toBe(saved);
  });

  it('binds the code to the auth key: a saved session can sign in later (two HTTP requests)', async () => {
    const first = await pool.connected();
    const { phoneCodeHash } = await first.client.sendCode(API, '9996611234');
    const saved = first.save();
    await first.client.destroy();

    const second = await pool.connected(saved);
    await second.client.invoke(
      new Api.auth.SignIn({ phoneNumber: '9996611234', phoneCodeHash, phoneCode: '11111' }),
    );
    expect((await second.client.getMe()).phone).toBe('9996611234');

    // The same hash from another auth key is worthless.
    const third = await pool.connected();
    const other = await third.client.sendCode(API, '9996611235');
    await expect(
      second.client.invoke(
        new Api.auth.SignIn({
          phoneNumber: '9996611235',
          phoneCodeHash: other.phoneCodeHash,
          phoneCode: '11111',
        }),
      ),
    ).rejects.toMatchObject({ code: 400, errorMessage: 'PHONE_CODE_EXPIRED' });
  });

  it('answers PHONE_CODE_INVALID for a wrong code, then accepts the right one', async () => {
    const { client } = await pool.connected();
    const { phoneCodeHash } = await client.sendCode(API, '9996611234');
    const signIn = (phoneCode: string) =>
      client.invoke(new Api.auth.SignIn({ phoneNumber: '9996611234', phoneCodeHash, phoneCode }));

    await expect(signIn('12345')).rejects.toMatchObject({ code: 400, errorMessage: 'PHONE_CODE_INVALID' });
    await expect(signIn('11111')).resolves.toBeInstanceOf(Api.auth.Authorization);
  });

  it('expires codes after 5 minutes (PHONE_CODE_EXPIRED)', async () => {
    const { client } = await pool.connected();
    const { phoneCodeHash } = await client.sendCode(API, '9996611234');
    emulator.advanceTime(5 * 60_000 + 1);
    await expect(
      client.invoke(new Api.auth.SignIn({ phoneNumber: '9996611234', phoneCodeHash, phoneCode: '11111' })),
    ).rejects.toMatchObject({ code: 400, errorMessage: 'PHONE_CODE_EXPIRED' });
  });

  it("migrates to the user's home DC with GramJS's own _switchDC (PHONE_MIGRATE_2)", async () => {
    const created = pool.create();
    await created.client.connect();
    expect(created.session.dcId).toBe(1);
    const firstKey = created.save();

    const sent = await created.client.sendCode(API, '+9996621234');
    expect(created.session.dcId).toBe(2);
    expect(created.session.serverAddress).toBe('127.0.0.2');
    expect(created.save()).not.toBe(firstKey);
    // invoke saw PHONE_MIGRATE_2, checked isUserAuthorized (updates.GetState → 401), _switchDC asked DC 1
    // for the config (getDC → help.GetConfig), then re-initialised the connection on DC 2 and retried.
    expect(emulator.requestCount('updates.GetState', 1)).toBe(1);
    expect(emulator.requestCount('help.GetConfig', 1)).toBe(2);
    expect(emulator.requestCount('help.GetConfig', 2)).toBe(1);
    expect(emulator.requestCount('auth.SendCode', 1)).toBe(1);
    expect(emulator.requestCount('auth.SendCode', 2)).toBe(1);

    await created.client.invoke(
      new Api.auth.SignIn({
        phoneNumber: '+9996621234',
        phoneCodeHash: sent.phoneCodeHash,
        phoneCode: '22222',
      }),
    );
    const saved = created.save();
    expect(new StringSession(saved).dcId).toBe(2);
    expect(emulator.sessionInfo(saved)).toMatchObject({ dcId: 2, phone: '9996621234' });
  });

  it('answers 406 PHONE_NUMBER_INVALID (method/auth.sendCode) for phones outside 99966XYYYY', async () => {
    const { client } = await pool.connected();
    for (const phone of ['+15551234567', '9996641234', '999661123']) {
      await expect(client.sendCode(API, phone)).rejects.toMatchObject({
        code: 406,
        errorMessage: 'PHONE_NUMBER_INVALID',
      });
    }
  });

  it('answers FLOOD_WAIT_120 to SendCode for YYYY 8000–8999 (FloodWaitError, seconds 120)', async () => {
    const { client } = await pool.connected();
    const error: unknown = await client.sendCode(API, '9996618123').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.FloodWaitError);
    expect(error).toMatchObject({ seconds: 120, code: 420 });
  });
});
