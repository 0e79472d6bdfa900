import type { TestApp } from './support/app';
import { history, isEnded, send, syncChats, waitFor, type ChatRow } from './support/messages';
import { createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

/** Two replicas on one database and one emulated Telegram work the same queue. */
describe('Messages: two replicas share the queue', () => {
  let world: TelegramWorld;
  let a: TestApp;
  let b: TestApp;
  const USER = 1201;

  beforeAll(async () => {
    world = await createTelegramWorld();
    const env = { SEND_PER_CHAT_INTERVAL_MS: '50', SEND_POLL_INTERVAL_MS: '500', SEND_WORKERS: '2' };
    a = await world.start(env);
    b = await world.start(env);
  });
  afterAll(() => world.cleanup());

  it('messages queued on both replicas are each delivered once, in order per chat', async () => {
    const session = await loginByCode(a, USER, '+9996611211');
    const chats = await syncChats(a, USER, session);
    const targets = [chats.get(1), chats.get(3)] as ChatRow[];
    const ids: { id: string; chat: string; text: string; via: TestApp }[] = [];
    for (let i = 0; i < 8; i++) {
      const via = i % 2 === 0 ? a : b;
      const chat = targets[i % 2];
      const text = `replica ${i}`;
      const res = await send(via, USER, { session_id: session, channel_id: chat.id, text });
      expect(res.statusCode).toBe(202);
      ids.push({ id: res.json().message_id, chat: chat.channel_id, text, via });
    }
    for (const m of ids) expect((await waitFor(b, USER, m.id, isEnded, 90_000)).last.status).toBe('sent');
    for (const chat of targets) {
      const got = (await history(a, USER, chat.channel_id)).filter((m) => m.text.startsWith('replica'));
      expect(got.map((m) => m.text)).toEqual(
        ids.filter((m) => m.chat === chat.channel_id).map((m) => m.text),
      );
    }
  });
});
