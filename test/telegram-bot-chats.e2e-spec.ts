import type { TestApp } from './support/app';
import { bearer } from './support/app';
import { createTelegramWorld, loginByCode, plaintextColumns, type TelegramWorld } from './support/telegram';

const CHANNELS = '/api/v1/telegram/channels';
const DEV = '/api/v1/dev/telegram-emulator';
const tokenOf = (dc: number, n: number) =>
  `99977${dc}${String(n).padStart(4, '0')}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa${'b'.repeat(2)}`;
/** Chat ids of the emulated user 99966XYYYY (see packages/telegram-emulator/src/dialogs.ts). */
const chatBase = (dc: number, suffix: number) => 1_000_000_000_000 + (dc * 10_000 + suffix) * 10_000;

interface Sender {
  type: string;
  id: string;
  role: string;
  can_post: boolean;
  is_active: boolean;
}

/** Issue 9 item 5: a bot cannot list its dialogs, so one chat is added through it by @username or id. */
describe('Telegram channels added through a bot', () => {
  let world: TelegramWorld;
  let t: TestApp;
  const bodies: string[] = [];
  const req = async (
    userId: number,
    method: 'GET' | 'POST',
    url: string,
    payload?: Record<string, unknown>,
  ) => {
    const res = await t.inject({
      method,
      url,
      headers: bearer(t.token(userId)),
      ...(payload ? { payload } : {}),
    });
    bodies.push(res.body);
    return res;
  };
  const addBot = async (userId: number, token: string): Promise<string> => {
    const res = await req(userId, 'POST', '/api/v1/telegram/bots', { bot_token: token });
    if (res.statusCode !== 201) throw new Error(`add bot: ${res.statusCode} ${res.body}`);
    return res.json().id as string;
  };

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  it('adds a chat through a bot by @username and by id, with the bot’s rights beside the account’s', async () => {
    const session = await loginByCode(t, 701, '+9996611700');
    expect((await req(701, 'POST', `${CHANNELS}/sync`, { session_id: session })).statusCode).toBe(200);
    const botId = await addBot(701, tokenOf(1, 70));
    const base = chatBase(1, 1700);

    // Channel 1 (the account is its creator) is public: emu_chat_<id>. The bot joins it as an admin.
    const joined = await req(701, 'POST', `${DEV}/chats/add-bot`, {
      chat_id: `-100${base + 1}`,
      bot_id: botId,
      admin: true,
    });
    expect(joined.statusCode).toBe(200);
    world.emulator.resetRequestCounts();
    const byName = await req(701, 'POST', CHANNELS, { bot_id: botId, chat: `@emu_chat_${base + 1}` });
    expect(byName.statusCode).toBe(201);
    expect(world.emulator.requestCount('contacts.ResolveUsername')).toBe(1);
    expect(world.emulator.requestCount('channels.GetParticipant')).toBe(1);
    const channel = byName.json();
    expect(channel).toMatchObject({ channel_id: `-100${base + 1}`, type: 'channel', members_count: 1003 });
    const senders = channel.senders as Sender[];
    expect(senders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'account', id: session, role: 'creator', can_post: true }),
        { type: 'bot', id: botId, role: 'admin', can_post: true, is_active: true },
      ]),
    );
    expect(senders).toHaveLength(2);

    // Supergroup 4 has no username: by its id; the bot is a plain member, which may post in a supergroup.
    await req(701, 'POST', `${DEV}/chats/add-bot`, { chat_id: `-100${base + 4}`, bot_id: botId });
    const byId = await req(701, 'POST', CHANNELS, { bot_id: botId, chat: `-100${base + 4}` });
    expect(byId.statusCode).toBe(201);
    expect(byId.json()).toMatchObject({ type: 'supergroup', members_count: 1012 });
    expect(byId.json().senders).toEqual(
      expect.arrayContaining([{ type: 'bot', id: botId, role: 'member', can_post: true, is_active: true }]),
    );

    // The basic group 5: `-<id>` (it begins with -100 too, yet is not a channel).
    await req(701, 'POST', `${DEV}/chats/add-bot`, { chat_id: `-${base + 5}`, bot_id: botId });
    const group = await req(701, 'POST', CHANNELS, { bot_id: botId, chat: `-${base + 5}` });
    expect(group.statusCode).toBe(201);
    expect(group.json()).toMatchObject({ channel_id: `-${base + 5}`, type: 'group', members_count: 7 });

    // A chat the synced account is not in: the bot alone reaches it. (The development route adds a bot
    // only to the caller's own chats: its creator +9996621799 is signed in by the same user, not synced.)
    await loginByCode(t, 701, '+9996621799');
    const elsewhere = chatBase(2, 1799) + 3;
    await req(701, 'POST', `${DEV}/chats/add-bot`, { chat_id: `-100${elsewhere}`, bot_id: botId });
    const only = await req(701, 'POST', CHANNELS, { bot_id: botId, chat: `-100${elsewhere}` });
    expect(only.statusCode).toBe(201);
    expect(only.json().senders).toEqual([
      { type: 'bot', id: botId, role: 'member', can_post: true, is_active: true },
    ]);
    const listed = await req(701, 'GET', `${CHANNELS}?size=100`);
    expect(listed.json().total).toBe(6);

    // Removing the bot retires it as a sender everywhere; the account still reaches its own chats.
    const removed = await t.inject({
      method: 'DELETE',
      url: `/api/v1/telegram/bots/${botId}`,
      headers: bearer(t.token(701)),
    });
    expect(removed.statusCode).toBe(200);
    const after = (await req(701, 'GET', `${CHANNELS}/${channel.id as string}`)).json();
    expect(after.senders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'account', is_active: true }),
        expect.objectContaining({ type: 'bot', id: botId, is_active: false }),
      ]),
    );
    const inactiveBot = await req(701, 'POST', CHANNELS, { bot_id: botId, chat: `-100${base + 1}` });
    expect(inactiveBot.statusCode).toBe(409);
    expect(inactiveBot.json()).toMatchObject({ code: 'bot_inactive' });

    const audit = await world.db.query<{ status: string; details: Record<string, unknown> }>(
      `SELECT status, details FROM integration_logs WHERE user_id = 701 AND action = 'channel_add' ORDER BY created_at`,
    );
    expect(audit).toHaveLength(4);
    expect(audit[0]).toMatchObject({
      status: 'success',
      details: { bot_id: botId, role: 'admin', inserted: false },
    });
    expect(audit[3]).toMatchObject({ details: { inserted: true } });
  });

  it('not a member → 422 bot_not_in_chat; unknown chat → 422 chat_not_found; bad reference → 400', async () => {
    const botId = await addBot(711, tokenOf(2, 71));
    const base = chatBase(1, 1711);
    const notIn = await req(711, 'POST', CHANNELS, { bot_id: botId, chat: `-100${base + 2}` });
    expect(notIn.statusCode).toBe(422);
    expect(notIn.json()).toMatchObject({ code: 'bot_not_in_chat' });
    const publicNotIn = await req(711, 'POST', CHANNELS, { bot_id: botId, chat: `@emu_chat_${base + 1}` });
    expect(publicNotIn.statusCode).toBe(422);
    expect(publicNotIn.json()).toMatchObject({ code: 'bot_not_in_chat' });
    const groupNotIn = await req(711, 'POST', CHANNELS, { bot_id: botId, chat: `-${base + 5}` });
    expect(groupNotIn.statusCode).toBe(422);
    expect(groupNotIn.json()).toMatchObject({ code: 'bot_not_in_chat' });
    const unknown = await req(711, 'POST', CHANNELS, { bot_id: botId, chat: '@nobody_here' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'chat_not_found' });
    const bad = await req(711, 'POST', CHANNELS, { bot_id: botId, chat: 'https://t.me/x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'chat' })]);
    expect(await world.db.query('SELECT id FROM telegram_channels WHERE user_id = 711')).toEqual([]);
    const [failed] = await world.db.query<{ status: string; details: Record<string, unknown> }>(
      `SELECT status, details FROM integration_logs WHERE user_id = 711 AND action = 'channel_add' ORDER BY created_at`,
    );
    expect(failed).toMatchObject({ status: 'error', details: { bot_id: botId, reason: 'bot_not_in_chat' } });
  });

  it('another user’s bot → 404 on the route and on the emulator’s add-bot; no secret in any response', async () => {
    const token = tokenOf(3, 72);
    const botId = await addBot(721, token);
    const chat = `-100${chatBase(1, 1721) + 1}`;
    const foreign = await req(722, 'POST', CHANNELS, { bot_id: botId, chat });
    expect(foreign.statusCode).toBe(404);
    const foreignDev = await req(722, 'POST', `${DEV}/chats/add-bot`, { chat_id: chat, bot_id: botId });
    expect(foreignDev.statusCode).toBe(404);
    const noChat = await req(721, 'POST', `${DEV}/chats/add-bot`, {
      chat_id: '-1009999999999999',
      bot_id: botId,
    });
    expect(noChat.statusCode).toBe(404);

    const all = bodies.join('\n') + (await plaintextColumns(world.db));
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split(':')[1]);
    expect(all).not.toMatch(/"session":|bot_session/);
  });
});
