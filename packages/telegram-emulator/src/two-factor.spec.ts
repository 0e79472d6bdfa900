import { Api } from 'telegram';
import { computeCheck } from 'telegram/Password';
import { EMULATOR_2FA_PASSWORD } from './accounts';
import { TelegramEmulator } from './emulator';
import { ClientPool, signInWithCode } from './testing';

describe('emulator: 2FA (SRP) through the real GramJS client', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  it('answers SESSION_PASSWORD_NEEDED after the right code, then PASSWORD_HASH_INVALID, then signs in', async () => {
    const { client, save } = await pool.connected();
    await expect(signInWithCode(client, '9996612345')).rejects.toMatchObject({
      code: 401,
      errorMessage: 'SESSION_PASSWORD_NEEDED',
    });
    expect(emulator.sessionInfo(save())).toMatchObject({ awaitingPassword: true, phone: undefined });
    // Fidelity #9: a key waiting for its password is asked for it by methods that need sign-in.
    await expect(client.invoke(new Api.updates.GetState())).rejects.toMatchObject({
      code: 401,
      errorMessage: 'SESSION_PASSWORD_NEEDED',
    });

    const first = await client.invoke(new Api.account.GetPassword());
    expect(first.hasPassword).toBe(true);
    expect(first.currentAlgo).toBeInstanceOf(
      Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow,
    );
    expect(first.srp_B?.length).toBe(256);
    const wrong = await computeCheck(first, 'not-it');
    await expect(client.invoke(new Api.auth.CheckPassword({ password: wrong }))).rejects.toMatchObject({
      code: 400,
      errorMessage: 'PASSWORD_HASH_INVALID',
    });
    // The srpId was spent on the failed attempt.
    const replay = await computeCheck(first, EMULATOR_2FA_PASSWORD);
    await expect(client.invoke(new Api.auth.CheckPassword({ password: replay }))).rejects.toMatchObject({
      code: 400,
      errorMessage: 'SRP_ID_INVALID',
    });

    const second = await client.invoke(new Api.account.GetPassword());
    expect(second.srpId?.toString()).not.toBe(first.srpId?.toString());
    const right = await computeCheck(second, EMULATOR_2FA_PASSWORD);
    const auth = await client.invoke(new Api.auth.CheckPassword({ password: right }));
    expect(auth).toBeInstanceOf(Api.auth.Authorization);
    expect((await client.getMe()).phone).toBe('9996612345');
    expect(emulator.sessionInfo(save())).toMatchObject({ awaitingPassword: false, phone: '9996612345' });
  });

  it('rejects an unknown srpId and refuses GetPassword to a key that is neither signed in nor pending', async () => {
    const { client } = await pool.connected();
    await expect(client.invoke(new Api.account.GetPassword())).rejects.toMatchObject({
      code: 401,
      errorMessage: 'AUTH_KEY_UNREGISTERED',
    });
    await expect(signInWithCode(client, '9996612000')).rejects.toMatchObject({
      errorMessage: 'SESSION_PASSWORD_NEEDED',
    });
    const pw = await client.invoke(new Api.account.GetPassword());
    const check = await computeCheck(pw, EMULATOR_2FA_PASSWORD);
    check.srpId = check.srpId.add(1);
    await expect(client.invoke(new Api.auth.CheckPassword({ password: check }))).rejects.toMatchObject({
      errorMessage: 'SRP_ID_INVALID',
    });
  });

  it('tells a signed-in account without 2FA that it has no password', async () => {
    const { client } = await pool.connected();
    await signInWithCode(client, '9996611234');
    const pw = await client.invoke(new Api.account.GetPassword());
    expect(pw.hasPassword).toBe(false);
    expect(pw.currentAlgo).toBeFalsy();
  });
});
