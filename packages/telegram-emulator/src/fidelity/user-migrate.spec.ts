import { Api } from 'telegram';
import { TelegramEmulator } from '../emulator';
import { ClientPool, signInWithCode } from '../testing';

/**
 * api/datacenter.html, api/errors.html (303 USER_MIGRATE_X: "the user whose identity is being used to
 * execute queries is associated with DC X"): after migrate-user, a session signed in on the old DC gets
 * USER_MIGRATE_X; auth.exportAuthorization still works there, and the authorization imported on DC X does.
 */
describe('emulator rule fidelity #8: USER_MIGRATE_X for a signed-in session', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  it('the old session answers USER_MIGRATE_2; GramJS alone switches DC with a new key and ends unauthorized', async () => {
    const t = await pool.connected();
    await signInWithCode(t.client, '+9996611881');
    const saved = t.save();
    expect(emulator.migrateUser('+9996611881', 2)).toBe(true);
    emulator.resetRequestCounts();
    // GramJS's invoke: USER_MIGRATE_2 → _switchDC(2) → a fresh key on DC 2 → the retry is AUTH_KEY_UNREGISTERED.
    await expect(t.client.getMe()).rejects.toMatchObject({
      code: 401,
      errorMessage: 'AUTH_KEY_UNREGISTERED',
    });
    expect(t.client.session.dcId).toBe(2);
    expect(emulator.requestCount('users.GetUsers', 1)).toBe(1);
    expect(emulator.requestCount('users.GetUsers', 2)).toBe(1);

    // The old key on DC 1 is still signed in and may export the authorization to DC 2.
    await t.client.disconnect();
    const old = await pool.connected(saved);
    const exported = await old.client.invoke(new Api.auth.ExportAuthorization({ dcId: 2 }));
    await old.client.disconnect();
    await t.client.connect();
    await t.client.invoke(new Api.auth.ImportAuthorization({ id: exported.id, bytes: exported.bytes }));
    expect(await t.client.getMe()).toMatchObject({ phone: '9996611881' });
  });

  it('unknown users or DCs are refused; unmoved users are untouched', async () => {
    expect(emulator.migrateUser('+15550001', 2)).toBe(false);
    expect(emulator.migrateUser('+9996611882', 4)).toBe(false);
    const t = await pool.connected();
    await signInWithCode(t.client, '+9996611883');
    expect(await t.client.getMe()).toMatchObject({ phone: '9996611883' });
  });
});
