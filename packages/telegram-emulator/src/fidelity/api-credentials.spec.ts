import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { Api } from 'telegram';
import { StringSession } from 'telegram/sessions';
import { EmulatedTelegramClient } from '../emulated-client';
import { TelegramEmulator } from '../emulator';
import { API, API_HASH, API_ID, ClientPool } from '../testing';

/**
 * The emulator knows one application (method/auth.sendCode, auth.exportLoginToken,
 * auth.importBotAuthorization: 400 API_ID_INVALID, "API ID invalid"; method/initConnection:
 * 400 CONNECTION_API_ID_INVALID, "The provided API id is invalid").
 */
describe('emulator rule fidelity #6: API credentials are checked', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator({ app: { apiId: API_ID, apiHash: 'f'.repeat(32) } });
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  it('the right api_id with another api_hash: API_ID_INVALID at sendCode, exportLoginToken, importBotAuthorization', async () => {
    const { client } = await pool.connected();
    await expect(
      client.invoke(
        new Api.auth.SendCode({ phoneNumber: '+9996611234', ...API, settings: new Api.CodeSettings({}) }),
      ),
    ).rejects.toMatchObject({ code: 400, errorMessage: 'API_ID_INVALID' });
    await expect(
      client.invoke(new Api.auth.ExportLoginToken({ ...API, exceptIds: [] })),
    ).rejects.toMatchObject({
      errorMessage: 'API_ID_INVALID',
    });
    await expect(
      client.invoke(
        new Api.auth.ImportBotAuthorization({
          flags: 0,
          ...API,
          botAuthToken: `9997710001:${'A'.repeat(35)}`,
        }),
      ),
    ).rejects.toMatchObject({ errorMessage: 'API_ID_INVALID' });
    const known = { apiId: API_ID, apiHash: 'f'.repeat(32) };
    expect(
      await client.invoke(
        new Api.auth.SendCode({ phoneNumber: '+9996611234', ...known, settings: new Api.CodeSettings({}) }),
      ),
    ).toBeInstanceOf(Api.auth.SentCode);
  });

  it('another api_id: initConnection answers CONNECTION_API_ID_INVALID, so connect() fails', async () => {
    const client = new EmulatedTelegramClient(emulator, new StringSession(''), 777, API_HASH, {
      baseLogger: new Logger(LogLevel.NONE),
      connectionRetries: 1,
    });
    try {
      await expect(client.connect()).rejects.toMatchObject({
        code: 400,
        errorMessage: 'CONNECTION_API_ID_INVALID',
      });
    } finally {
      await client.destroy();
    }
  });
});
