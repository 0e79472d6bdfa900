import type { TestApp } from './support/app';
import { bearer } from './support/app';
import {
  history,
  isEnded,
  message,
  MESSAGES,
  multipart,
  send,
  syncChats,
  waitFor,
  type ChatRow,
} from './support/messages';
import { call, createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(3000, 7),
]);
const botToken = (n: number) => `999771${String(n).padStart(4, '0')}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1`;

describe('Messages: the durable send queue', () => {
  let world: TelegramWorld;
  let t: TestApp;
  const USER = 1101;
  let session: string;
  let chats: Map<number, ChatRow>;
  let bot: string;

  beforeAll(async () => {
    world = await createTelegramWorld({ slowModeSeconds: 2 });
    t = await world.start({
      SEND_PER_CHAT_INTERVAL_MS: '100',
      SEND_POLL_INTERVAL_MS: '500',
      SEND_RETRY_BASE_MS: '100',
    });
    session = await loginByCode(t, USER, '+9996611101');
    chats = await syncChats(t, USER, session);
    const added = await call(t, USER, 'POST', '/api/v1/telegram/bots', { bot_token: botToken(1101) });
    expect(added.statusCode).toBe(201);
    bot = added.json<{ id: string }>().id;
  });
  afterAll(() => world.cleanup());

  const chat = (index: number): ChatRow => chats.get(index) as ChatRow;

  it('an account sends markdown text to its channel: 202 queued, then sent once, with audit rows', async () => {
    const res = await send(t, USER, {
      session_id: session,
      channel_id: chat(1).id,
      text: 'Hello **world**',
      parse_mode: 'markdown',
    });
    expect(res.statusCode).toBe(202);
    const accepted = res.json<{ message_id: string; status: string; chat_id: string }>();
    expect(accepted).toMatchObject({ status: 'queued', chat_id: chat(1).channel_id, sender_type: 'account' });
    const { last } = await waitFor(t, USER, accepted.message_id, isEnded);
    expect(last).toMatchObject({ status: 'sent', attempts: 1, error: null });
    expect(last.telegram_message_id).toMatch(/^\d+$/);
    const got = await history(t, USER, chat(1).channel_id);
    expect(got.filter((m) => m.random_id === last.random_id)).toHaveLength(1);
    expect(got.find((m) => m.random_id === last.random_id)).toMatchObject({
      text: 'Hello world',
      sender: { type: 'account', id: '9996611101' },
    });
    const audit = await world.db.query<{ status: string }>(
      `SELECT status FROM integration_logs WHERE action = 'send_message' AND details->>'message_id' = $1 ORDER BY created_at`,
      [accepted.message_id],
    );
    expect(audit.map((a) => a.status)).toEqual(['pending', 'success']);
    // Each change's event went into the outbox in the same transaction: ids and status, never the text.
    const events = await world.db.query<{ type: string; data: string }>(
      `SELECT type, data::text AS data FROM integration_events WHERE subject = $1 ORDER BY seq`,
      [`messages/${accepted.message_id}`],
    );
    expect(events.map((e) => e.type)).toEqual(['telegram.message.queued', 'telegram.message.sent']);
    expect(events.map((e) => e.data).join(' ')).not.toContain('Hello');
  });

  it('a bot sends text by chat id, and html by @username', async () => {
    const one = await send(t, USER, { bot_id: bot, chat: chat(3).channel_id, text: 'From the bot' });
    expect(one.statusCode).toBe(202);
    const sent = await waitFor(t, USER, one.json().message_id, isEnded);
    expect(sent.last.status).toBe('sent');
    const username = chat(1).username as string;
    const two = await send(t, USER, {
      bot_id: bot,
      chat: `@${username}`,
      text: '<b>Bold</b> news',
      parse_mode: 'html',
    });
    expect(two.statusCode).toBe(202);
    expect((await waitFor(t, USER, two.json().message_id, isEnded)).last.status).toBe('sent');
    const got = await history(t, USER, chat(1).channel_id);
    expect(got.at(-1)).toMatchObject({ text: 'Bold news', sender: { type: 'bot', id: '9997711101' } });
  });

  it('media: a photo by the account and a document by the bot, multipart; the stored file is removed once sent', async () => {
    const photo = multipart(
      { session_id: session, channel_id: chat(3).id, text: 'A photo' },
      {
        name: 'p.png',
        type: 'image/png',
        content: PNG,
      },
    );
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/telegram/send',
      headers: { ...bearer(t.token(USER)), ...photo.headers },
      payload: photo.payload,
    });
    expect(res.statusCode).toBe(202);
    const doc = multipart(
      { bot_id: bot, channel_id: chat(1).id, text: 'The report', silent: 'true' },
      {
        name: 'report.pdf',
        type: 'application/pdf',
        content: Buffer.alloc(600 * 1024, 1),
      },
    );
    const res2 = await t.inject({
      method: 'POST',
      url: '/api/v1/telegram/send',
      headers: { ...bearer(t.token(USER)), ...doc.headers },
      payload: doc.payload,
    });
    expect(res2.statusCode).toBe(202);
    for (const r of [res, res2]) {
      const { last } = await waitFor(t, USER, r.json().message_id, isEnded);
      expect(last.status).toBe('sent');
    }
    expect((await message(t, USER, res.json().message_id)).media).toMatchObject({
      kind: 'photo',
      size: PNG.length,
    });
    const photos = (await history(t, USER, chat(3).channel_id)).filter((m) => m.media);
    expect(photos.at(-1)).toMatchObject({ text: 'A photo', media: { kind: 'photo', size: PNG.length } });
    const docs = (await history(t, USER, chat(1).channel_id)).filter((m) => m.media);
    expect(docs.at(-1)).toMatchObject({ media: { kind: 'document', name: 'report.pdf', size: 600 * 1024 } });
    const files = await world.db.query(`SELECT 1 FROM telegram_message_files`);
    expect(files).toHaveLength(0);
  });

  it('a file over SEND_MEDIA_MAX_BYTES is 413; a multipart send without a file is 400', async () => {
    const small = await world.start({ SEND_MEDIA_MAX_BYTES: '2048' });
    const big = multipart(
      { session_id: session, channel_id: chat(1).id },
      { name: 'x.bin', type: 'application/octet-stream', content: Buffer.alloc(5000) },
    );
    const res = await small.inject({
      method: 'POST',
      url: '/api/v1/telegram/send',
      headers: { ...bearer(small.token(USER)), ...big.headers },
      payload: big.payload,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('file_too_large');
    await small.close();
    const none = await t.inject({
      method: 'POST',
      url: '/api/v1/telegram/send',
      headers: { ...bearer(t.token(USER)), 'content-type': 'multipart/form-data; boundary=xyz' },
      payload: '--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--xyz--\r\n',
    });
    expect(none.statusCode).toBe(400);
    expect(none.json().errors).toEqual([{ field: 'file', message: 'file is required in a multipart send' }]);
  });

  it('Idempotency-Key: the same body answers the stored message; another body is 422', async () => {
    const body = { session_id: session, channel_id: chat(3).id, text: 'Once only' };
    const key = { 'idempotency-key': 'order-42-announcement' };
    const first = await send(t, USER, body, key);
    const again = await send(t, USER, body, key);
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const other = await send(t, USER, { ...body, text: 'Something else' }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
    // Per user: another user may use the same key.
    expect((await send(t, 9999, body, key)).statusCode).toBe(404);
    await waitFor(t, USER, first.json().message_id, isEnded);
    const got = await history(t, USER, chat(3).channel_id);
    expect(got.filter((m) => m.text === 'Once only')).toHaveLength(1);
    expect((await send(t, USER, body, { 'idempotency-key': 'x'.repeat(256) })).statusCode).toBe(400);
  });

  it('FLOOD_WAIT → waiting → sent after the wait (not counted as an attempt)', async () => {
    const armed = await call(t, USER, 'POST', '/api/v1/dev/telegram-emulator/flood', {
      phone: '+9996611101',
      seconds: 2,
    });
    expect(armed.statusCode).toBe(200);
    const started = Date.now();
    const res = await send(t, USER, { session_id: session, channel_id: chat(1).id, text: 'After the flood' });
    const { last, seen } = await waitFor(t, USER, res.json().message_id, isEnded);
    expect(seen).toContain('waiting');
    expect(last).toMatchObject({ status: 'sent', attempts: 1, error: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    const events = await world.db.query<{ type: string }>(
      `SELECT type FROM integration_events WHERE subject = $1 ORDER BY seq`,
      [`messages/${res.json<{ message_id: string }>().message_id}`],
    );
    expect(events.map((e) => e.type)).toEqual([
      'telegram.message.queued',
      'telegram.message.waiting',
      'telegram.message.sent',
    ]);
    const metrics = await t.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/telegram_message_flood_waits_total\{kind="flood"\} [1-9]/);
  });

  it('slow mode: the second message waits SLOWMODE_WAIT, then goes; both once', async () => {
    const a = await send(t, USER, { session_id: session, channel_id: chat(4).id, text: 'slow 1' });
    const b = await send(t, USER, { session_id: session, channel_id: chat(4).id, text: 'slow 2' });
    const first = await waitFor(t, USER, a.json().message_id, isEnded);
    const second = await waitFor(t, USER, b.json().message_id, isEnded);
    expect(first.last.status).toBe('sent');
    expect(second.last.status).toBe('sent');
    expect(second.seen).toContain('waiting');
    const got = (await history(t, USER, chat(4).channel_id)).filter((m) => m.text.startsWith('slow'));
    expect(got.map((m) => m.text)).toEqual(['slow 1', 'slow 2']);
    expect(got[1].date - got[0].date).toBeGreaterThanOrEqual(1);
  });

  it('a chat Telegram refuses → failed with the reason; our rows refuse up front', async () => {
    const res = await send(t, USER, { bot_id: bot, channel_id: chat(5).id, text: 'not allowed' });
    expect(res.statusCode).toBe(202);
    const { last } = await waitFor(t, USER, res.json().message_id, isEnded);
    expect(last).toMatchObject({ status: 'failed', error: { code: 'chat_write_forbidden' } });
    const audit = await world.db.query<{ status: string; error_message: string }>(
      `SELECT status, error_message FROM integration_logs WHERE action = 'send_message' AND details->>'message_id' = $1 AND status = 'error'`,
      [last.id],
    );
    expect(audit).toHaveLength(1);
    const upfront = await send(t, USER, { session_id: session, channel_id: chat(2).id, text: 'subscriber' });
    expect(upfront.statusCode).toBe(422);
    expect(upfront.json().code).toBe('sender_cannot_post');
  });

  it('bad markup is a 400 naming the problem; text over 4,096 after markup is 400', async () => {
    const bad = await send(t, USER, {
      session_id: session,
      channel_id: chat(1).id,
      text: '<b>open',
      parse_mode: 'html',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'markup_invalid' });
    expect(bad.json().message).toContain('<b>');
    const md = await send(t, USER, {
      session_id: session,
      channel_id: chat(1).id,
      text: 'a **b',
      parse_mode: 'markdown',
    });
    expect(md.statusCode).toBe(400);
    expect(md.json().message).toContain('**');
    const long = await send(t, USER, { session_id: session, channel_id: chat(1).id, text: 'x'.repeat(4097) });
    expect(long.json().code).toBe('text_too_long');
    const fits = await send(t, USER, {
      session_id: session,
      channel_id: chat(1).id,
      text: `**${'x'.repeat(4096)}**`,
      parse_mode: 'markdown',
    });
    expect(fits.statusCode).toBe(202);
    const two = await send(t, USER, { session_id: session, bot_id: bot, channel_id: chat(1).id, text: 'x' });
    expect(two.statusCode).toBe(400);
  });

  it('cancel: a scheduled message is cancelled and never sent; a sent one cannot be', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const res = await send(t, USER, {
      session_id: session,
      channel_id: chat(3).id,
      text: 'never',
      send_at: later,
    });
    const id = res.json().message_id as string;
    const del = await call(t, USER, 'DELETE', `${MESSAGES}/${id}`);
    expect(del.statusCode).toBe(200);
    expect(del.json().status).toBe('cancelled');
    expect((await call(t, USER, 'DELETE', `${MESSAGES}/${id}`)).statusCode).toBe(409);
    const list = await call(t, USER, 'GET', `${MESSAGES}?status=cancelled&channel_id=${chat(3).id}`);
    expect(list.json().items.map((m: { id: string }) => m.id)).toContain(id);
    expect((await history(t, USER, chat(3).channel_id)).some((m) => m.text === 'never')).toBe(false);
  });

  it('a random_id Telegram already delivered (a crash before our commit) answers RANDOM_ID_DUPLICATE: sent, once', async () => {
    const res = await send(t, USER, {
      session_id: session,
      channel_id: chat(3).id,
      text: 'crash-safe',
      send_at: new Date(Date.now() + 1500).toISOString(),
    });
    const queued = await message(t, USER, res.json().message_id);
    // What the first attempt of a replica killed after Telegram's answer would have left behind.
    world.emulator.messages.deliver('account:9996611101', Date.now(), {
      chatId: chat(3).channel_id,
      text: 'crash-safe',
      sender: { type: 'account', id: '9996611101', name: 'first attempt' },
      randomId: queued.random_id,
      date: Math.floor(Date.now() / 1000),
    });
    const { last } = await waitFor(t, USER, queued.id, isEnded);
    expect(last).toMatchObject({ status: 'sent', telegram_message_id: null, attempts: 1 });
    const got = (await history(t, USER, chat(3).channel_id)).filter((m) => m.random_id === queued.random_id);
    expect(got).toHaveLength(1);
  });

  it('order per chat is kept', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await send(t, USER, { session_id: session, channel_id: chat(1).id, text: `order ${i}` });
      ids.push(res.json().message_id);
    }
    for (const id of ids) expect((await waitFor(t, USER, id, isEnded)).last.status).toBe('sent');
    const got = (await history(t, USER, chat(1).channel_id)).filter((m) => m.text.startsWith('order'));
    expect(got.map((m) => m.text)).toEqual(ids.map((_, i) => `order ${i}`));
  });

  it("another user's message, sender or chat → 404", async () => {
    const res = await send(t, USER, { session_id: session, channel_id: chat(3).id, text: 'mine' });
    const id = res.json().message_id as string;
    const OTHER = 1102;
    expect((await call(t, OTHER, 'GET', `${MESSAGES}/${id}`)).statusCode).toBe(404);
    expect((await call(t, OTHER, 'DELETE', `${MESSAGES}/${id}`)).statusCode).toBe(404);
    expect((await call(t, OTHER, 'GET', MESSAGES)).json().total).toBe(0);
    expect(
      (await send(t, OTHER, { session_id: session, channel_id: chat(3).id, text: 'x' })).statusCode,
    ).toBe(404);
    expect((await call(t, USER, 'GET', `${MESSAGES}/not-a-uuid`)).statusCode).toBe(400);
    await waitFor(t, USER, id, isEnded);
  });

  it('a revoked session → failed, and the account turns revoked', async () => {
    const USER2 = 1103;
    const s2 = await loginByCode(t, USER2, '+9996611103');
    const c2 = await syncChats(t, USER2, s2);
    world.emulator.revoke('+9996611103');
    const res = await send(t, USER2, {
      session_id: s2,
      channel_id: (c2.get(1) as ChatRow).id,
      text: 'too late',
    });
    const { last } = await waitFor(t, USER2, res.json().message_id, isEnded);
    expect(last).toMatchObject({ status: 'failed', error: { code: 'sender_revoked' } });
    const accounts = await call(t, USER2, 'GET', '/api/v1/telegram/accounts?active_only=false');
    expect(accounts.json()[0]).toMatchObject({ is_active: false });
    expect(
      (await send(t, USER2, { session_id: s2, channel_id: (c2.get(1) as ChatRow).id, text: 'x' })).statusCode,
    ).toBe(409);
  });

  it('a bot revoked in BotFather → failed, and the bot turns revoked', async () => {
    const added = await call(t, USER, 'POST', '/api/v1/telegram/bots', { bot_token: botToken(1102) });
    const botId = added.json().id as string;
    expect(
      (await call(t, USER, 'POST', '/api/v1/dev/telegram-emulator/bots/revoke', { bot_id: botId }))
        .statusCode,
    ).toBe(200);
    const res = await send(t, USER, { bot_id: botId, channel_id: chat(1).id, text: 'revoked bot' });
    const { last } = await waitFor(t, USER, res.json().message_id, isEnded);
    expect(last).toMatchObject({ status: 'failed', error: { code: 'sender_revoked' } });
    const row = await call(t, USER, 'GET', `/api/v1/telegram/bots/${botId}`);
    expect(row.json()).toMatchObject({ status: 'revoked', is_active: false });
  });

  it('never writes a session string or token in plaintext; metrics expose the queue', async () => {
    const metrics = await t.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/telegram_messages_total\{result="sent",sender_type="account"\} \d+/);
    expect(metrics.body).toContain('telegram_message_queue_depth');
    expect(metrics.body).toContain('telegram_message_enqueue_to_sent_seconds_bucket');
    expect(t.rawLogs()).not.toContain(botToken(1101));
    const rows = await world.db.query(`SELECT to_jsonb(m)::text AS row FROM telegram_messages m`);
    expect(JSON.stringify(rows)).not.toContain(botToken(1101));
  });
});
