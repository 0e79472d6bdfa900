import type { TestApp } from './support/app';
import { bearer } from './support/app';
import { createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const CHANNELS = '/api/v1/telegram/channels';
const DEV = '/api/v1/dev/telegram-emulator';

interface Channel {
  id: string;
  channel_id: string;
  title: string;
  type: string;
  username: string | null;
  members_count: number | null;
  is_active: boolean;
  senders: { type: string; id: string; role: string; can_post: boolean; is_active: boolean }[];
}

describe('Telegram channels: sync from dialogs, list, settings, remove', () => {
  let world: TelegramWorld;
  let t: TestApp;

  const req = (userId: number, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.inject({
      method,
      url,
      headers: bearer(t.token(userId)),
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });

  const all = async (userId: number, query = ''): Promise<Channel[]> =>
    (await req(userId, 'GET', `${CHANNELS}?size=100${query}`)).json().items as Channel[];

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
  });
  afterAll(() => world.cleanup());

  it('syncs an account: channels, supergroups and the basic group with types, counts, roles', async () => {
    const session = await loginByCode(t, 601, '+9996611500');
    world.emulator.resetRequestCounts();
    const res = await req(601, 'POST', `${CHANNELS}/sync`, { session_id: session });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ added: 5, updated: 0, deactivated: 0, total: 5 });
    // Everything fits in one page; two channels lack participants_count in their dialog.
    expect(world.emulator.requestCount('messages.GetDialogs')).toBe(1);
    expect(world.emulator.requestCount('channels.GetFullChannel')).toBe(2);

    const items = await all(601);
    const byTitle = Object.fromEntries(items.map((c) => [c.title, c]));
    const base = 1_000_000_000_000 + 11_500 * 10_000;
    expect(byTitle['Channel 1 of Alice']).toMatchObject({
      channel_id: `-100${base + 1}`,
      type: 'channel',
      members_count: 1003,
      username: `emu_chat_${base + 1}`,
      senders: [{ type: 'account', id: session, role: 'creator', can_post: true, is_active: true }],
    });
    expect(byTitle['Channel 2 of Alice']).toMatchObject({
      type: 'channel',
      members_count: 1006, // from channels.getFullChannel
      username: null,
      senders: [{ role: 'member', can_post: false }],
    });
    expect(byTitle['Supergroup 3 of Alice']).toMatchObject({
      type: 'supergroup',
      senders: [{ role: 'admin', can_post: true }],
    });
    expect(byTitle['Supergroup 4 of Alice']).toMatchObject({ type: 'supergroup', members_count: 1012 });
    expect(byTitle['Group 5 of Alice']).toMatchObject({
      channel_id: `-${base + 5}`,
      type: 'group',
      members_count: 7,
      senders: [{ role: 'member', can_post: true }],
    });
    const filtered = await all(601, '&type=supergroup&search=group%204');
    expect(filtered.map((c) => c.title)).toEqual(['Supergroup 4 of Alice']);

    const [audit] = await world.db.query<{ status: string; details: Record<string, unknown> }>(
      `SELECT status, details FROM integration_logs WHERE user_id = 601 AND action = 'channels_sync'`,
    );
    expect(audit).toMatchObject({ status: 'success', details: { added: 5, total: 5, telegram_calls: 3 } });
  });

  it('a created chat is added; leaving a chat and syncing again deactivates it', async () => {
    const session = await loginByCode(t, 602, '+9996621501');
    await req(602, 'POST', `${CHANNELS}/sync`, { session_id: session });
    const made = await req(602, 'POST', `${DEV}/chats`, {
      phone: '+9996621501',
      type: 'channel',
      title: 'Launch',
    });
    expect(made.statusCode).toBe(200);
    const left = (await all(602)).find((c) => c.title.startsWith('Supergroup 4'));
    const leave = await req(602, 'POST', `${DEV}/chats/leave`, {
      phone: '+9996621501',
      chat_id: left?.channel_id,
    });
    expect(leave.statusCode).toBe(200);

    const again = await req(602, 'POST', `${CHANNELS}/sync`, { session_id: session });
    expect(again.json()).toEqual({ added: 1, updated: 4, deactivated: 1, total: 5 });
    const active = await all(602);
    expect(active.map((c) => c.title)).toContain('Launch');
    expect(active.find((c) => c.title === 'Launch')?.senders[0]).toMatchObject({
      role: 'creator',
      can_post: true,
    });
    expect(active.map((c) => c.id)).not.toContain(left?.id);
    const gone = await req(602, 'GET', `${CHANNELS}/${left?.id}`);
    expect(gone.json()).toMatchObject({ is_active: false, senders: [{ is_active: false }] });
  });

  it('syncs the 1,500-dialog account completely, page by page', async () => {
    const session = await loginByCode(t, 603, '+9996613001');
    world.emulator.resetRequestCounts();
    const started = Date.now();
    const res = await req(603, 'POST', `${CHANNELS}/sync`, { session_id: session });
    const ms = Date.now() - started;
    expect(res.statusCode).toBe(200);
    // 1,500 dialogs: 3 private chats, 1,497 channels and groups.
    expect(res.json()).toEqual({ added: 1497, updated: 0, deactivated: 0, total: 1497 });
    const pages = world.emulator.requestCount('messages.GetDialogs');
    const full = world.emulator.requestCount('channels.GetFullChannel');
    expect(pages).toBe(15);
    const [audit] = await world.db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM integration_logs WHERE user_id = 603 AND action = 'channels_sync'`,
    );
    expect(audit.details.telegram_calls).toBe(pages + full);
    // The closing note of issue 9 reports these numbers.
    process.stdout.write(
      `1,500-dialog sync: ${ms} ms over HTTP, ${pages} messages.GetDialogs + ${full} channels.GetFullChannel\n`,
    );
    const [{ n }] = await world.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM telegram_channels WHERE user_id = 603 AND is_active`,
    );
    expect(Number(n)).toBe(1497);
    const page = await req(603, 'GET', `${CHANNELS}?page=3&size=50`);
    expect(page.json()).toMatchObject({ total: 1497, page: 3, size: 50, pages: 30 });
    expect(page.json().items).toHaveLength(50);
  });

  it('FLOOD_WAIT midway → 429 with Retry-After and nothing written', async () => {
    const session = await loginByCode(t, 604, '+9996613002');
    world.emulator.dialogs.floodDialogsAfter('9996613002', 4, 33);
    const res = await req(604, 'POST', `${CHANNELS}/sync`, { session_id: session });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('33');
    expect(res.json()).toMatchObject({ code: 'telegram_flood_wait', retry_after: 33 });
    expect(await world.db.query(`SELECT 1 FROM telegram_channels WHERE user_id = 604`)).toHaveLength(0);
    const audit = await world.db.query<{ status: string }>(
      `SELECT status FROM integration_logs WHERE user_id = 604 AND action = 'channels_sync'`,
    );
    expect(audit).toEqual([{ status: 'error' }]);
  });

  it('settings, soft delete, and another user’s ids → 404 on every route', async () => {
    const session = await loginByCode(t, 605, '+9996611502');
    await req(605, 'POST', `${CHANNELS}/sync`, { session_id: session });
    const [first] = await all(605);
    const patched = await req(605, 'PATCH', `${CHANNELS}/${first.id}`, { settings: { pin: true } });
    expect(patched.json().settings).toEqual({ pin: true });
    expect((await req(605, 'PATCH', `${CHANNELS}/${first.id}`, { settings: [] })).statusCode).toBe(400);

    for (const [method, url, body] of [
      ['GET', `${CHANNELS}/${first.id}`],
      ['PATCH', `${CHANNELS}/${first.id}`, { settings: {} }],
      ['DELETE', `${CHANNELS}/${first.id}`],
      ['POST', `${CHANNELS}/sync`, { session_id: session }],
      ['POST', `${DEV}/chats`, { phone: '+9996611502', type: 'group', title: 'x' }],
      ['POST', `${DEV}/chats/leave`, { phone: '+9996611502', chat_id: first.channel_id }],
    ] as ['GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?][]) {
      expect((await req(606, method, url, body)).statusCode).toBe(404);
    }
    expect((await all(606)).length).toBe(0);

    const removed = await req(605, 'DELETE', `${CHANNELS}/${first.id}`);
    expect(removed.json()).toMatchObject({ is_active: false });
    expect((await all(605)).map((c) => c.id)).not.toContain(first.id);
    const actions = await world.db.query<{ action: string }>(
      `SELECT action FROM integration_logs WHERE user_id = 605 AND action LIKE 'channel%' ORDER BY created_at`,
    );
    expect(actions.map((a) => a.action)).toEqual(['channels_sync', 'channel_update', 'channel_remove']);
  });
});
