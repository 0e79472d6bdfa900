import { Api, type TelegramClient } from 'telegram';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { StringSession } from 'telegram/sessions';
import { TelegramEmulator } from '../emulator';
import { API_HASH, API_ID, signInWithCode } from '../spec-helpers';
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

  it('QR login scanned on another DC: LoginTokenMigrateTo, _switchDC (a new key on DC 3), ImportLoginToken', async () => {
    const c = client('', { baseLogger: new Logger(LogLevel.DEBUG) });
    await c.connect();
    const exported = await c.invoke(new Api.auth.ExportLoginToken({ apiId: API_ID, apiHash: API_HASH, exceptIds: [] }));
    world.scanQrToken((exported as Api.auth.LoginToken).token, '9996631234');
    const migrate = await c.invoke(new Api.auth.ExportLoginToken({ apiId: API_ID, apiHash: API_HASH, exceptIds: [] }));
    expect(migrate).toBeInstanceOf(Api.auth.LoginTokenMigrateTo);
    await c._switchDC(3);
    const imported = await c.invoke(
      new Api.auth.ImportLoginToken({ token: (migrate as Api.auth.LoginTokenMigrateTo).token }),
    );
    expect(imported).toBeInstanceOf(Api.auth.LoginTokenSuccess);
    expect((await c.getMe()).phone).toBe('9996631234');
  });
});
