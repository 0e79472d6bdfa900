import { Api } from 'telegram';
import { returnBigInt } from 'telegram/Helpers';
import { lookupAccount } from './accounts';
import { TelegramEmulator } from './emulator';
import { ClientPool, signInWithCode } from './testing';

/** messages.sendMessage against the emulator through the real GramJS client (TL both ways). */
describe('emulator: sending', () => {
  const emulator = new TelegramEmulator({ slowModeSeconds: 30 });
  const pool = new ClientPool(emulator);
  afterAll(() => pool.destroyAll());
  const phone = '9996611301';
  const account = lookupAccount(phone);
  const chat = (index: number) =>
    emulator.dialogs.dialogsOf(account!).find((d) => d.kind !== 'private' && d.topMessageId === index);

  const peerOf = (index: number): Api.TypeInputPeer => {
    const c = chat(index) as { kind: string; id: bigint; accessHash: bigint };
    return c.kind === 'group'
      ? new Api.InputPeerChat({ chatId: returnBigInt(c.id) })
      : new Api.InputPeerChannel({ channelId: returnBigInt(c.id), accessHash: returnBigInt(c.accessHash) });
  };

  it('answers Updates with UpdateMessageID for a channel, UpdateShortSentMessage for a basic group; RANDOM_ID_DUPLICATE after', async () => {
    const { client } = await pool.connected();
    await signInWithCode(client, phone);
    const randomId = returnBigInt(424242);
    const answer = await client.invoke(
      new Api.messages.SendMessage({ peer: peerOf(1), message: 'hi', randomId }),
    );
    expect(answer).toBeInstanceOf(Api.Updates);
    const echo = (answer as Api.Updates).updates.find(
      (u) => u instanceof Api.UpdateMessageID,
    ) as Api.UpdateMessageID;
    expect(echo.randomId?.toString()).toBe('424242');
    await expect(
      client.invoke(new Api.messages.SendMessage({ peer: peerOf(1), message: 'hi again', randomId })),
    ).rejects.toMatchObject({ errorMessage: 'RANDOM_ID_DUPLICATE' });
    const short = await client.invoke(
      new Api.messages.SendMessage({ peer: peerOf(5), message: 'group', randomId: returnBigInt(1) }),
    );
    expect(short).toBeInstanceOf(Api.UpdateShortSentMessage);
    expect(emulator.messages.history(`-100${(chat(1) as { id: bigint }).id}`)).toHaveLength(1);
  });

  it('refuses a subscriber (CHAT_ADMIN_REQUIRED), applies slow mode, an armed flood and the length limit', async () => {
    const { client } = await pool.connected();
    await signInWithCode(client, phone);
    const send = (index: number, message: string, id: number) =>
      client.invoke(
        new Api.messages.SendMessage({ peer: peerOf(index), message, randomId: returnBigInt(id) }),
      );
    await expect(send(2, 'x', 10)).rejects.toMatchObject({ errorMessage: 'CHAT_ADMIN_REQUIRED' });
    await send(4, 'first', 11);
    await expect(send(4, 'second', 12)).rejects.toMatchObject({ seconds: 30 });
    emulator.messages.floodNext(`account:${phone}`, 9);
    await expect(send(3, 'x', 13)).rejects.toMatchObject({ seconds: 9 });
    await expect(send(3, 'y'.repeat(4097), 14)).rejects.toMatchObject({ errorMessage: 'MESSAGE_TOO_LONG' });
  });
});
