import { Socket } from 'node:net';
import { Api, TelegramClient } from 'telegram';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { returnBigInt as bigInt } from 'telegram/Helpers';
import { StringSession } from 'telegram/sessions';
import { createEmulatedClient } from './emulated-client';
import { TelegramEmulator } from './emulator';
import { API, ClientPool, signInWithCode } from './testing';

describe('emulator: session lifecycle through the real GramJS client', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  async function signedIn(phone = '9996611234') {
    const t = await pool.connected();
    await signInWithCode(t.client, phone);
    return t;
  }

  it('answers AUTH_KEY_UNREGISTERED to GetState and GetUsers before sign-in', async () => {
    const { client } = await pool.connected();
    await expect(client.invoke(new Api.updates.GetState())).rejects.toMatchObject({
      code: 401,
      errorMessage: 'AUTH_KEY_UNREGISTERED',
    });
    await expect(client.getMe()).rejects.toMatchObject({ code: 401, errorMessage: 'AUTH_KEY_UNREGISTERED' });
    expect(await client.isUserAuthorized()).toBe(false);
  });

  it('revoke(phone) kills every session of that user: AUTH_KEY_UNREGISTERED on getMe and GetState', async () => {
    const a = await signedIn();
    const b = await signedIn();
    const other = await signedIn('9996615555');
    expect(emulator.revoke('+9996611234')).toBe(2);

    for (const { client } of [a, b]) {
      await expect(client.getMe()).rejects.toMatchObject({
        code: 401,
        errorMessage: 'AUTH_KEY_UNREGISTERED',
      });
      await expect(client.invoke(new Api.updates.GetState())).rejects.toMatchObject({
        errorMessage: 'AUTH_KEY_UNREGISTERED',
      });
    }
    expect((await other.client.getMe()).phone).toBe('9996615555');

    const saved = a.save();
    await a.client.destroy();
    const restored = await pool.connected(saved);
    await expect(restored.client.getMe()).rejects.toMatchObject({ errorMessage: 'AUTH_KEY_UNREGISTERED' });
  });

  it('can revoke with SESSION_REVOKED instead', async () => {
    const t = await signedIn();
    emulator.revoke('9996611234', 'SESSION_REVOKED');
    await expect(t.client.getMe()).rejects.toMatchObject({ code: 401, errorMessage: 'SESSION_REVOKED' });
    expect(emulator.sessionInfo(t.save())).toMatchObject({
      phone: undefined,
      revokedReason: 'SESSION_REVOKED',
    });
  });

  it('logs out with auth.LogOut', async () => {
    const t = await signedIn();
    const out = await t.client.invoke(new Api.auth.LogOut());
    expect(out).toBeInstanceOf(Api.auth.LoggedOut);
    await expect(t.client.invoke(new Api.updates.GetState())).rejects.toMatchObject({
      errorMessage: 'AUTH_KEY_UNREGISTERED',
    });
    expect(emulator.sessionInfo(t.save())).toMatchObject({ known: true, phone: undefined });
  });

  it("with duplicatePolicy 'newer-only' only the second live client on the key gets AUTH_KEY_DUPLICATED (406)", async () => {
    emulator = new TelegramEmulator({ duplicatePolicy: 'newer-only' });
    pool = new ClientPool(emulator);
    const first = await signedIn();
    const saved = first.save();
    const second = pool.create(saved);
    await expect(second.client.connect()).rejects.toMatchObject({
      code: 406,
      errorMessage: 'AUTH_KEY_DUPLICATED',
    });
    expect((await first.client.getMe()).phone).toBe('9996611234');

    await second.client.destroy();
    await first.client.destroy();
    const third = await pool.connected(saved);
    expect((await third.client.getMe()).phone).toBe('9996611234');
  });

  it('fidelity #5: by default (kill-key, as Telegram) a key used from two connections dies for both', async () => {
    const first = await signedIn();
    const second = pool.create(first.save());
    await expect(second.client.connect()).rejects.toMatchObject({ errorMessage: 'AUTH_KEY_DUPLICATED' });
    await expect(first.client.getMe()).rejects.toMatchObject({
      code: 406,
      errorMessage: 'AUTH_KEY_DUPLICATED',
    });
  });

  it('answers unknown methods with 400 METHOD_NOT_SUPPORTED_BY_EMULATOR (401 before sign-in)', async () => {
    const anonymous = await pool.connected();
    // messages.getDialogs is emulated now (dialogs.ts); contacts.getContacts is not.
    const request = () => new Api.contacts.GetContacts({ hash: bigInt(0) });
    await expect(anonymous.client.invoke(request())).rejects.toMatchObject({
      code: 401,
      errorMessage: 'AUTH_KEY_UNREGISTERED',
    });
    const t = await signedIn();
    await expect(t.client.invoke(request())).rejects.toMatchObject({
      code: 400,
      errorMessage: 'METHOD_NOT_SUPPORTED_BY_EMULATOR',
    });
    expect(emulator.requestCount('contacts.GetContacts')).toBe(2);
    expect(emulator.internalErrors).toEqual([]);
  });

  it("carries the authorization to another DC through GramJS's exported senders", async () => {
    const t = await signedIn();
    const users = await t.client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }), 2);
    expect((users[0] as Api.User).phone).toBe('9996611234');
    expect(emulator.requestCount('auth.ExportAuthorization', 1)).toBe(1);
    expect(emulator.requestCount('auth.ImportAuthorization', 2)).toBe(1);
    expect(emulator.liveConnectionCount('9996611234')).toBe(2);
    await t.client.destroy();
    expect(emulator.liveConnectionCount()).toBe(0);
  });

  it("answers the update loop's PingDelayDisconnect with a Pong", async () => {
    const { client } = await pool.connected();
    if (!client._sender) throw new Error('not connected');
    const pong = await client._sender.send(
      new Api.PingDelayDisconnect({ pingId: bigInt(7), disconnectDelay: 60 }),
    );
    expect(pong).toBeInstanceOf(Api.Pong);
    expect((pong as Api.Pong).pingId.toString()).toBe('7');
  });

  it('reads the full user and the update state', async () => {
    const t = await signedIn();
    const full = await t.client.invoke(new Api.users.GetFullUser({ id: new Api.InputUserSelf() }));
    expect(full.fullUser.id.toString()).toBe('7000011234');
    const state = await t.client.invoke(new Api.updates.GetState());
    expect(Math.abs(state.date - Math.floor(emulator.now() / 1000))).toBeLessThanOrEqual(1);
  });

  it('never opens a socket (login with DC migration, exported sender)', async () => {
    const connect = jest.spyOn(Socket.prototype, 'connect');
    try {
      const t = await signedIn('9996631234');
      await t.client.invoke(new Api.help.GetConfig(), 1);
      expect(t.session.dcId).toBe(3);
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });

  it('builds clients through a factory typed like the TelegramClient constructor', async () => {
    const factory = createEmulatedClient(emulator);
    const client = factory(new StringSession(''), API.apiId, API.apiHash, {
      baseLogger: new Logger(LogLevel.NONE),
      connectionRetries: 1,
      floodSleepThreshold: 0,
    });
    expect(client).toBeInstanceOf(TelegramClient);
    try {
      await client.connect();
      expect(client.connected).toBe(true);
      await signInWithCode(client, '9996611234');
      expect((await client.getMe()).phone).toBe('9996611234');
    } finally {
      await client.destroy();
    }
    expect(client.connected).toBe(false);
  });
});
