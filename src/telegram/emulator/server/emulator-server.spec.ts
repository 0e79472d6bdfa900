import { Api, type TelegramClient } from 'telegram';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { ConnectionTCPAbridged } from 'telegram/network';
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
});
