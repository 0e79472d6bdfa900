import { Api } from 'telegram';
import { returnBigInt } from 'telegram/Helpers';
import { TelegramEmulator } from './emulator';
import { API, ClientPool } from './testing';

/**
 * A bot finds one chat (method/contacts.resolveUsername, channels.getChannels, channels.getParticipant,
 * messages.getChats): only chats it was put into (chats/add-bot) answer it as a participant.
 */
describe('emulator: chats seen by a bot', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;
  const TOKEN = `9997710042:${'A'.repeat(35)}`;
  const base = 1_000_000_000_000n + 11_700n * 10_000n; // chats of 99966 1 1700

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  async function bot() {
    const { client } = await pool.connected();
    await client.invoke(new Api.auth.ImportBotAuthorization({ flags: 0, ...API, botAuthToken: TOKEN }));
    return client;
  }
  const self = new Api.InputPeerSelf();

  it('resolves a public channel; channels.getParticipant(self) is USER_NOT_PARTICIPANT until the bot is added', async () => {
    const client = await bot();
    const resolved = await client.invoke(
      new Api.contacts.ResolveUsername({ username: `emu_chat_${base + 1n}` }),
    );
    const [channel] = resolved.chats as Api.Channel[];
    expect(channel).toMatchObject({ left: true, broadcast: true, title: 'Channel 1 of Alice' });
    const input = new Api.InputChannel({ channelId: channel.id, accessHash: channel.accessHash! });
    await expect(
      client.invoke(new Api.channels.GetParticipant({ channel: input, participant: self })),
    ).rejects.toMatchObject({ code: 400, errorMessage: 'USER_NOT_PARTICIPANT' });

    expect(emulator.addBotToChat(base + 1n, 9997710042n, true)).toBe(true);
    const got = await client.invoke(new Api.channels.GetParticipant({ channel: input, participant: self }));
    expect(got.participant).toBeInstanceOf(Api.ChannelParticipantAdmin);
    expect((got.participant as Api.ChannelParticipantAdmin).adminRights.postMessages).toBe(true);
  });

  it('access_hash 0 works for a channel the bot is in (CHANNEL_PRIVATE otherwise); unknown ids are CHANNEL_INVALID', async () => {
    const client = await bot();
    const byId = (id: bigint) =>
      client.invoke(
        new Api.channels.GetChannels({
          id: [new Api.InputChannel({ channelId: returnBigInt(id), accessHash: returnBigInt(0) })],
        }),
      );
    await expect(byId(base + 4n)).rejects.toMatchObject({ errorMessage: 'CHANNEL_PRIVATE' });
    await expect(byId(42n)).rejects.toMatchObject({ errorMessage: 'CHANNEL_INVALID' });
    emulator.addBotToChat(base + 4n, 9997710042n, false);
    const { chats } = await byId(base + 4n);
    expect(chats[0]).toMatchObject({ megagroup: true, left: false });
  });

  it('messages.getChats: chatForbidden for a group the bot is not in, the Chat once it is; CHAT_ID_INVALID', async () => {
    const client = await bot();
    const get = (id: bigint) => client.invoke(new Api.messages.GetChats({ id: [returnBigInt(id)] }));
    expect((await get(base + 5n)).chats[0]).toBeInstanceOf(Api.ChatForbidden);
    emulator.addBotToChat(base + 5n, 9997710042n, false);
    expect((await get(base + 5n)).chats[0]).toBeInstanceOf(Api.Chat);
    await expect(get(base + 1n)).rejects.toMatchObject({ errorMessage: 'CHAT_ID_INVALID' });
    await expect(
      client.invoke(new Api.contacts.ResolveUsername({ username: 'nobody_here' })),
    ).rejects.toMatchObject({ errorMessage: 'USERNAME_NOT_OCCUPIED' });
  });
});
