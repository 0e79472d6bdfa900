import { Api, type TelegramClient } from 'telegram';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { StringSession } from 'telegram/sessions';
import { loginCodeFor } from './accounts';
import { EmulatedTelegramClient } from './emulated-client';
import type { TelegramEmulator } from './emulator';

/** Test helpers shared by the emulator's specs (not used by production code). */

export const API_ID = 12345;
export const API_HASH = '0123456789abcdef0123456789abcdef';
export const API = { apiId: API_ID, apiHash: API_HASH };

export interface TestClient {
  readonly client: EmulatedTelegramClient;
  readonly session: StringSession;
  /** The StringSession as it stands now (GramJS's `client.session.save()` is typed void). */
  save(): string;
}

/** Creates and tracks clients so `destroyAll()` can tear every one down in afterEach. */
export class ClientPool {
  private readonly clients: EmulatedTelegramClient[] = [];

  constructor(private readonly emulator: TelegramEmulator) {}

  create(saved = '', floodSleepThreshold = 0): TestClient {
    const session = new StringSession(saved);
    const client = new EmulatedTelegramClient(this.emulator, session, API_ID, API_HASH, {
      baseLogger: new Logger(LogLevel.NONE),
      connectionRetries: 1,
      floodSleepThreshold,
    });
    this.clients.push(client);
    return { client, session, save: () => session.save() };
  }

  async connected(saved = ''): Promise<TestClient> {
    const created = this.create(saved);
    await created.client.connect();
    return created;
  }

  async destroyAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.destroy()));
  }
}

/** sendCode + auth.SignIn with the emulator's code for that phone; resolves the signed-in user. */
export async function signInWithCode(
  client: TelegramClient,
  phone: string,
): Promise<Api.auth.TypeAuthorization> {
  const { phoneCodeHash } = await client.sendCode(API, phone);
  return client.invoke(
    new Api.auth.SignIn({ phoneNumber: phone, phoneCodeHash, phoneCode: loginCodeFor(phone) ?? '' }),
  );
}
