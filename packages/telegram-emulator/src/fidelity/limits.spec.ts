import { Api, errors } from 'telegram';
import { computeCheck } from 'telegram/Password';
import { EMULATOR_2FA_PASSWORD } from '../accounts';
import { TelegramEmulator } from '../emulator';
import { API, ClientPool, signInWithCode } from '../testing';

/**
 * method/auth.sendCode (400 PHONE_NUMBER_FLOOD, 400 PHONE_NUMBER_BANNED), api/errors.html (420
 * FLOOD_WAIT_X): wrong codes and passwords are limited. Telegram does not publish its limits; the
 * emulator's are 5 wrong codes per login and 5 wrong passwords per hour, then FLOOD_WAIT_300.
 */
describe('emulator rule fidelity #3: limits beyond sendCode', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  it('after 5 wrong codes for one login auth.signIn answers FLOOD_WAIT_300, the right code too; then the login works again', async () => {
    emulator = new TelegramEmulator({ codeTtlMs: 600_000 });
    pool = new ClientPool(emulator);
    const { client } = await pool.connected();
    const phone = '+9996611234';
    const sent = await client.sendCode(API, phone);
    const signIn = (phoneCode: string) =>
      client.invoke(
        new Api.auth.SignIn({ phoneNumber: phone, phoneCodeHash: sent.phoneCodeHash, phoneCode }),
      );
    for (let i = 0; i < 5; i += 1) {
      await expect(signIn('12345')).rejects.toMatchObject({ errorMessage: 'PHONE_CODE_INVALID' });
    }
    const flood = await signIn('11111').catch((e: unknown) => e);
    expect(flood).toBeInstanceOf(errors.FloodWaitError);
    expect((flood as errors.FloodWaitError).seconds).toBe(300);
    emulator.advanceTime(300_001);
    expect(await signIn('11111')).toBeInstanceOf(Api.auth.Authorization);
  });

  it('after 5 wrong passwords in an hour auth.checkPassword answers FLOOD_WAIT_N (configurable)', async () => {
    emulator = new TelegramEmulator({ loginFloodSeconds: 90 });
    pool = new ClientPool(emulator);
    const { client } = await pool.connected();
    await expect(signInWithCode(client, '9996612345')).rejects.toMatchObject({
      errorMessage: 'SESSION_PASSWORD_NEEDED',
    });
    const check = async (password: string) =>
      client.invoke(
        new Api.auth.CheckPassword({
          password: await computeCheck(await client.invoke(new Api.account.GetPassword()), password),
        }),
      );
    for (let i = 0; i < 5; i += 1) {
      await expect(check('not-it')).rejects.toMatchObject({ errorMessage: 'PASSWORD_HASH_INVALID' });
    }
    const flood = await check(EMULATOR_2FA_PASSWORD).catch((e: unknown) => e);
    expect(flood).toBeInstanceOf(errors.FloodWaitError);
    // computeCheck takes a while in pure JS: the wait left is counted down from 90.
    expect((flood as errors.FloodWaitError).seconds).toBeGreaterThan(80);
    expect((flood as errors.FloodWaitError).seconds).toBeLessThanOrEqual(90);
    emulator.advanceTime(90_001);
    expect(await check(EMULATOR_2FA_PASSWORD)).toBeInstanceOf(Api.auth.Authorization);
  });

  it('4 wrong passwords an hour apart never flood', async () => {
    const { client } = await pool.connected();
    await expect(signInWithCode(client, '9996612345')).rejects.toThrow();
    const check = async (password: string) =>
      client.invoke(
        new Api.auth.CheckPassword({
          password: await computeCheck(await client.invoke(new Api.account.GetPassword()), password),
        }),
      );
    for (let i = 0; i < 8; i += 1) {
      await expect(check('not-it')).rejects.toMatchObject({ errorMessage: 'PASSWORD_HASH_INVALID' });
      if (i % 4 === 3) emulator.advanceTime(3_600_001);
    }
  });

  it.each([
    ['+9996617000', 'PHONE_NUMBER_FLOOD'],
    ['+9996617499', 'PHONE_NUMBER_FLOOD'],
    ['+9996617500', 'PHONE_NUMBER_BANNED'],
    ['+9996617599', 'PHONE_NUMBER_BANNED'],
  ])('auth.sendCode to %s answers 400 %s', async (phone, errorMessage) => {
    const { client } = await pool.connected();
    await expect(client.sendCode(API, phone)).rejects.toMatchObject({ code: 400, errorMessage });
    expect(emulator.codesSent(phone)).toBe(0);
  });

  it('YYYY 8000–8999 keep FLOOD_WAIT_120; 7600 gets a code', async () => {
    const { client } = await pool.connected();
    const flood = await client.sendCode(API, '+9996618000').catch((e: unknown) => e);
    expect((flood as errors.FloodWaitError).seconds).toBe(120);
    await expect(client.sendCode(API, '+9996617600')).resolves.toMatchObject({ isCodeViaApp: true });
  });
});
