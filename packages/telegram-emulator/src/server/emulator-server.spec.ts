import { Api, errors, type TelegramClient } from 'telegram';
import { ConnectionTCPAbridged, ConnectionTCPObfuscated } from 'telegram/network';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { returnBigInt } from 'telegram/Helpers';
import { StringSession } from 'telegram/sessions';
import { TelegramEmulator } from '../emulator';
import { API_HASH, API_ID, signInWithCode } from '../testing';
import { createEmulatorServerClient } from './client-factory';
import { TelegramEmulatorServer } from './emulator-server';

describe('emulator server: the real GramJS client over TCP', () => {
  let world: TelegramEmulator;
  let server: TelegramEmulatorServer;
  const clients: TelegramClient[] = [];

  const client = (saved = '', extra: Record<string, unknown> = {}): TelegramClient => {
    const factory = createEmulatorServerClient(server.network);
    const created = factory(new StringSession(saved), API_ID, API_HASH, {
      baseLogger: new Logger(LogLevel.NONE),
      connectionRetries: 1,
      floodSleepThreshold: 0,
      ...extra,
    });
    clients.push(created);
    return created;
  };

  beforeEach(async () => {
    world = new TelegramEmulator();
    server = new TelegramEmulatorServer(world);
    await server.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
    await server.stop();
  });

  it('negotiates an auth key and signs in by phone code (full transport)', async () => {
    const c = client();
    await c.connect();
    expect(server.keys.size).toBe(1);
    const auth = await signInWithCode(c, '+9996611234');
    expect(auth).toBeInstanceOf(Api.auth.Authorization);
    expect((await c.getMe()).phone).toBe('9996611234');
  });

  const signedIn = async (phone = '+9996611234'): Promise<{ c: TelegramClient; saved: string }> => {
    const c = client();
    await c.connect();
    await signInWithCode(c, phone);
    return { c, saved: (c.session as StringSession).save() };
  };
  const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> =>
    Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);

  it('speaks the abridged transport too; salts and sessions follow the protocol', async () => {
    const c = client('', { connection: ConnectionTCPAbridged });
    await c.connect();
    await signInWithCode(c, '+9996611234');
    expect((await c.getMe()).phone).toBe('9996611234');
    // GramJS starts with salt 0: the first message gets bad_server_salt, then a new session is created.
    expect(server.events.get('bad_server_salt')).toBeGreaterThanOrEqual(1);
    expect(server.events.get('new_session_created')).toBeGreaterThanOrEqual(1);
  });

  it('speaks the obfuscated transport (AES-256-CTR after a 64-byte header) when the client asks for it', async () => {
    const c = client('', { connection: ConnectionTCPObfuscated });
    await c.connect();
    await signInWithCode(c, '+9996611235');
    expect((await c.getMe()).phone).toBe('9996611235');
  });

  it('PHONE_MIGRATE: a real second connection and auth key on DC 3, then a restored session works there', async () => {
    const { c, saved } = await signedIn('+9996631234');
    expect(new StringSession(saved).dcId).toBe(3);
    expect(server.keys.size).toBe(2); // DC 1's and DC 3's
    await c.destroy();
    await server.settle();
    const again = client(saved);
    await again.connect();
    expect((await again.getMe()).phone).toBe('9996631234');
    expect(server.keys.size).toBe(2);
  });

  it('answers msg_ids from a wrong clock with bad_msg_notification 16; GramJS corrects its offset and resends', async () => {
    const { c } = await signedIn();
    const sender = c._sender as unknown as { _state: { timeOffset: number; _lastMsgId: unknown } };
    sender._state.timeOffset = -1000;
    sender._state._lastMsgId = returnBigInt(0);
    expect((await c.getMe()).phone).toBe('9996611234');
    expect(server.events.get('bad_msg_notification_16')).toBe(1);
  });

  it('a key the server does not know is answered with transport error −404', async () => {
    const { c, saved } = await signedIn();
    await c.destroy();
    const other = new TelegramEmulatorServer(new TelegramEmulator());
    await other.start();
    try {
      const stranger = createEmulatorServerClient(other.network)(new StringSession(saved), API_ID, API_HASH, {
        baseLogger: new Logger(LogLevel.NONE),
        connectionRetries: 1,
      });
      clients.push(stranger);
      // GramJS marks the key broken and its connect() waits on for the answer: our own bound ends it.
      expect(await withTimeout(stranger.connect(), 1500)).toBe('timeout');
      expect(other.events.get('transport_error_404')).toBeGreaterThanOrEqual(1);
    } finally {
      await other.stop();
    }
  });

  it('one auth key from two connections at once → AUTH_KEY_DUPLICATED (406), the key is dead', async () => {
    const { c, saved } = await signedIn(); // the first client stays connected
    const before = world.duplicateKeyUses;
    const second = client(saved);
    await expect(second.connect()).rejects.toMatchObject({ code: 406, errorMessage: 'AUTH_KEY_DUPLICATED' });
    expect(world.duplicateKeyUses).toBe(before + 1); // counted (the control port's auth_key_duplicated)
    await expect(c.getMe()).rejects.toMatchObject({ code: 406, errorMessage: 'AUTH_KEY_DUPLICATED' });
  });

  it('a dropped connection is reconnected by GramJS and the next call succeeds', async () => {
    const { c } = await signedIn();
    expect(server.drop({ phone: '+9996611234' })).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.getMe()).phone).toBe('9996611234');
    expect(server.liveConnections({ phone: '9996611234' })).toHaveLength(1);
  });

  it('a stalled connection takes the request and never answers; a delayed one answers N ms late', async () => {
    const { c } = await signedIn();
    server.delay({ phone: '9996611234' }, 300);
    const started = Date.now();
    await c.getMe();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    server.delay({ phone: '9996611234' }, 0);
    server.stall({ phone: '9996611234' });
    expect(await withTimeout(c.getMe(), 1000)).toBe('timeout');
  });

  it('answers rpc_error as GramJS error classes (FLOOD_WAIT through the wire)', async () => {
    const c = client();
    await c.connect();
    await expect(c.sendCode({ apiId: API_ID, apiHash: API_HASH }, '+9996618123')).rejects.toBeInstanceOf(
      errors.FloodWaitError,
    );
  });

  it('QR login scanned on another DC: LoginTokenMigrateTo, _switchDC (a new key on DC 3), ImportLoginToken', async () => {
    const c = client();
    await c.connect();
    const exported = await c.invoke(
      new Api.auth.ExportLoginToken({ apiId: API_ID, apiHash: API_HASH, exceptIds: [] }),
    );
    world.scanQrToken((exported as Api.auth.LoginToken).token, '9996631234');
    const migrate = await c.invoke(
      new Api.auth.ExportLoginToken({ apiId: API_ID, apiHash: API_HASH, exceptIds: [] }),
    );
    expect(migrate).toBeInstanceOf(Api.auth.LoginTokenMigrateTo);
    await c._switchDC(3);
    const imported = await c.invoke(
      new Api.auth.ImportLoginToken({ token: (migrate as Api.auth.LoginTokenMigrateTo).token }),
    );
    expect(imported).toBeInstanceOf(Api.auth.LoginTokenSuccess);
    expect((await c.getMe()).phone).toBe('9996631234');
  });
});
