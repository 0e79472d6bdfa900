import { bearer, type TestApp } from './support/app';
import { history, isEnded, send, syncChats, waitFor } from './support/messages';
import { createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const DEV = '/api/v1/dev/telegram-emulator';
const BOT_TOKEN = `9997714626:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa${'c'.repeat(2)}`;

/** Issue 26, item 4: the emulator's development routes reach only the caller's own chats and bots. */
describe('issue 26: development routes scoped to the caller', () => {
  let world: TelegramWorld;
  let t: TestApp;
  const A = 2611;
  const B = 2612;
  const req = (userId: number, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
    t.inject({ method, url, headers: bearer(t.token(userId)), ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  it("another user's chat history → 404; the owner reads it", async () => {
    const sessionA = await loginByCode(t, A, '+9996614611');
    const chats = await syncChats(t, A, sessionA);
    const chat = chats.get(1)!;
    const sent = await send(t, A, { session_id: sessionA, channel_id: chat.id, text: 'only for A' });
    expect(sent.statusCode).toBe(202);
    const { last } = await waitFor(t, A, sent.json().message_id as string, isEnded);
    expect(last.status).toBe('sent');

    expect((await history(t, A, chat.channel_id)).map((m) => m.text)).toEqual(['only for A']);
    const foreign = await req(B, 'GET', `${DEV}/chats/${chat.channel_id}/messages`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('only for A');
    // Not signed in as anybody: every chat is someone else's.
    const stranger = await req(2613, 'GET', `${DEV}/chats/${chat.channel_id}/messages`);
    expect(stranger.statusCode).toBe(404);
    // An id no emulated user can own: the same 404.
    expect((await req(A, 'GET', `${DEV}/chats/-1009999999999999/messages`)).statusCode).toBe(404);
  });

  it("add-bot puts the caller's bot only into the caller's own chats", async () => {
    const sessionB = await loginByCode(t, B, '+9996614612');
    expect(sessionB).toBeTruthy();
    const bot = await req(B, 'POST', '/api/v1/telegram/bots', { bot_token: BOT_TOKEN });
    expect(bot.statusCode).toBe(201);
    const botId = bot.json().id as string;
    const base = (suffix: number) => 1_000_000_000_000 + (1 * 10_000 + suffix) * 10_000;

    // A's channel 1 (A is its creator): B's bot may not be made an admin there.
    const intoA = await req(B, 'POST', `${DEV}/chats/add-bot`, {
      chat_id: `-100${base(4611) + 1}`,
      bot_id: botId,
      admin: true,
    });
    expect(intoA.statusCode).toBe(404);
    // B's own channel: yes.
    const intoB = await req(B, 'POST', `${DEV}/chats/add-bot`, {
      chat_id: `-100${base(4612) + 1}`,
      bot_id: botId,
      admin: true,
    });
    expect(intoB.statusCode).toBe(200);
    // The world agrees: the bot is in B's chat and not in A's.
    const inA = await req(B, 'POST', '/api/v1/telegram/channels', {
      bot_id: botId,
      chat: `-100${base(4611) + 1}`,
    });
    expect(inA.statusCode).toBe(422);
    expect(inA.json()).toMatchObject({ code: 'bot_not_in_chat' });
    // A cannot use B's bot in A's own chat either.
    const foreignBot = await req(A, 'POST', `${DEV}/chats/add-bot`, {
      chat_id: `-100${base(4611) + 1}`,
      bot_id: botId,
    });
    expect(foreignBot.statusCode).toBe(404);
  });
});
