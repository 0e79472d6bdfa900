import type { FastifyInstance } from 'fastify';
import { TelegramEmulator } from '../emulator';
import { EmulatorControlError } from '../errors';
import { startControlHttp } from '../server/control-http';
import { TelegramEmulatorServer } from '../server/emulator-server';
import { LocalEmulatorControl } from './emulator-control-port';
import { EmulatorServerUnavailableError, RemoteEmulatorControl } from './remote-emulator-control';

describe('emulator control port: the remote client against the server process’s HTTP control', () => {
  let world: TelegramEmulator;
  let server: TelegramEmulatorServer;
  let http: FastifyInstance;
  let remote: RemoteEmulatorControl;

  beforeAll(async () => {
    world = new TelegramEmulator();
    server = new TelegramEmulatorServer(world);
    await server.start();
    http = await startControlHttp(
      new LocalEmulatorControl(world, (r) => server.fault(r)),
      server,
      '127.0.0.1',
      0,
    );
    const address = http.server.address();
    remote = new RemoteEmulatorControl(
      `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    );
  });
  afterAll(async () => {
    await http.close();
    await server.stop();
  });

  it('describes the network: three DC ports and the RSA key’s fingerprint', async () => {
    const network = await remote.network();
    expect(network.dcs.map((d) => d.dcId)).toEqual([1, 2, 3]);
    expect(network.dcs.map((d) => d.port)).toEqual(server.endpoints.map((e) => e.port));
    expect(network.rsa.fingerprint).toBe(server.rsa.fingerprint.toString());
  });

  it('creates and leaves chats, revokes bot tokens, and reports refusals as EmulatorControlError', async () => {
    const chat = await remote.createChat('+9996611234', 'channel', 'News');
    expect(chat).toMatchObject({
      kind: 'channel',
      title: 'News',
      chatId: expect.stringMatching(/^-100\d+$/),
    });
    expect(await remote.leaveChat('+9996611234', chat?.chatId ?? '')).toBe(true);
    expect(await remote.createChat('+1555', 'group', 'x')).toBeUndefined();
    expect(await remote.revokeBotToken('not-a-token')).toBeUndefined();
    expect(await remote.revokeSessions([], '+9996611234', 'SESSION_REVOKED')).toBe(0);
    await expect(remote.scanQrToken('bm8tc3VjaC10b2tlbg', '+9996611234')).rejects.toEqual(
      new EmulatorControlError('AUTH_TOKEN_INVALID'),
    );
  });

  it('applies faults (none open here) and is a 503-kind error when the server is away', async () => {
    expect(await remote.fault({ fault: 'drop', target: { phone: '+9996611234' } })).toBe(0);
    const away = new RemoteEmulatorControl('http://127.0.0.1:1');
    await expect(away.network()).rejects.toBeInstanceOf(EmulatorServerUnavailableError);
  });
});
