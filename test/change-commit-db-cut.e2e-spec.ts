import { setTimeout as sleep } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import { COMMIT_RETRY_MS } from '../src/changes/change-commit';
import { TelegramEmulator } from '@integration-service/telegram-emulator';
import { history, send, syncChats, waitFor } from './support/messages';
import { call, loginByCode } from './support/telegram';
import { openProxiedTestApp, type ProxiedTestApp } from './support/proxied-app';
import type { CommitCut } from './support/tcp-proxy';

/**
 * Issue 25, item 4: every state change commits through ChangeCommit, with one retry policy for a
 * lost COMMIT. PostgreSQL is cut (a TCP proxy in front of it) at the COMMIT of a bot's, a channel's
 * and a message's change — before the server sees it, or after it applied it with the answer lost —
 * for less and for longer than the retry lasts. Each change is then found applied exactly once (its
 * row, its audit row and its outbox event, together) or not at all, and the answer agrees.
 */
const SCENARIOS: { name: string; when: CommitCut; outageMs: number; applied: boolean; answered: boolean }[] =
  [
    {
      name: 'COMMIT cut before PostgreSQL saw it, back within the retry',
      when: 'before',
      outageMs: 500,
      applied: true,
      answered: true,
    },
    {
      name: 'COMMIT applied but its answer lost, back within the retry',
      when: 'after',
      outageMs: 500,
      applied: true,
      answered: true,
    },
    {
      name: 'COMMIT cut before PostgreSQL saw it, away longer than the retry',
      when: 'before',
      outageMs: COMMIT_RETRY_MS + 1500,
      applied: false,
      answered: false,
    },
    {
      name: 'COMMIT applied but its answer lost, away longer than the retry',
      when: 'after',
      outageMs: COMMIT_RETRY_MS + 1500,
      applied: true,
      answered: false,
    },
  ];
const cases = SCENARIOS.map((scenario, index) => ({ ...scenario, index }));

const BOTS = '/api/v1/telegram/bots';
const botToken = (n: number) => `999771${String(n).padStart(4, '0')}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1`;
const phoneOf = (userId: number) => `+999661${userId}`;

describe('one way to commit a change: PostgreSQL cut at the COMMIT of a bot, a channel and a message', () => {
  let t: ProxiedTestApp;

  beforeAll(async () => {
    t = await openProxiedTestApp(
      {
        RATE_LIMIT_ENABLED: 'false',
        TELEGRAM_EMULATOR: 'true',
        SEND_PER_CHAT_INTERVAL_MS: '100',
        SEND_POLL_INTERVAL_MS: '500',
        SEND_RETRY_BASE_MS: '100',
      },
      { telegramEmulator: new TelegramEmulator() },
    );
  }, 60_000);
  afterAll(() => t?.close());

  /** Runs the request with the proxy set to cut at its COMMIT; restores PostgreSQL after `outageMs`. */
  async function cutDuring(
    when: CommitCut,
    outageMs: number,
    request: () => Promise<LightMyRequestResponse>,
  ): Promise<LightMyRequestResponse> {
    const cut = t.proxy.cutAtCommit(when);
    const answer = request();
    const first = await Promise.race([cut.then(() => 'cut'), answer.then(() => 'answered')]);
    if (first !== 'cut') {
      t.proxy.disarm();
      throw new Error(
        `answered ${(await answer).statusCode} without reaching a COMMIT: ${(await answer).body}`,
      );
    }
    await sleep(outageMs);
    t.proxy.comeBack();
    return answer;
  }

  const count = async (table: 'integration_logs' | 'integration_events', userId: number, what: string) => {
    const column = table === 'integration_logs' ? 'action' : 'type';
    const [row] = await t.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table} WHERE user_id = $1 AND ${column} = $2`,
      [userId, what],
    );
    return Number(row.n);
  };

  function expectAnswer(res: LightMyRequestResponse, answered: boolean, status: number): void {
    if (answered) {
      expect(res.statusCode).toBe(status);
    } else {
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
    }
  }

  it.each(cases)(
    'a bot added: $name',
    async ({ when, outageMs, applied, answered, index }) => {
      const userId = 2600 + index;
      const add = () => call(t, userId, 'POST', BOTS, { bot_token: botToken(2600 + index) });
      const res = await cutDuring(when, outageMs, add);
      expectAnswer(res, answered, 201);

      const rows = await t.db.query<{ id: string }>(
        'SELECT id::text AS id FROM telegram_bots WHERE user_id = $1',
        [userId],
      );
      expect(rows).toHaveLength(applied ? 1 : 0);
      expect(await count('integration_logs', userId, 'bot_add')).toBe(rows.length);
      expect(await count('integration_events', userId, 'telegram.bot.added')).toBe(rows.length);
      if (answered) expect(res.json<{ id: string }>().id).toBe(rows[0].id);

      // PostgreSQL is back: adding the bot again finds it stored once, or stores it now.
      const again = await add();
      expect(again.statusCode).toBe(applied ? 409 : 201);
      expect(await count('integration_logs', userId, 'bot_add')).toBe(1);
      expect(await count('integration_events', userId, 'telegram.bot.added')).toBe(1);
    },
    30_000,
  );

  it.each(cases)(
    'channels synced: $name',
    async ({ when, outageMs, applied, answered, index }) => {
      const userId = 2610 + index;
      const session = await loginByCode(t, userId, phoneOf(userId));
      const sync = () => call(t, userId, 'POST', '/api/v1/telegram/channels/sync', { session_id: session });
      const res = await cutDuring(when, outageMs, sync);
      expectAnswer(res, answered, 200);

      const [{ n }] = await t.db.query<{ n: string }>(
        'SELECT count(*) AS n FROM telegram_channels WHERE user_id = $1',
        [userId],
      );
      const stored = Number(n);
      expect(stored > 0).toBe(applied);
      expect(await count('integration_logs', userId, 'channels_sync')).toBe(applied ? 1 : 0);
      expect(await count('integration_events', userId, 'telegram.channels.synced')).toBe(applied ? 1 : 0);
      if (answered) expect(res.json()).toMatchObject({ added: stored, updated: 0 });

      // PostgreSQL is back: the next sync finds every chat stored once already, or stores them now.
      const again = await sync();
      expect(again.statusCode).toBe(200);
      const { added, updated, total } = again.json<{ added: number; updated: number; total: number }>();
      expect({ added, updated }).toEqual(
        applied ? { added: 0, updated: stored } : { added: total, updated: 0 },
      );
      expect(await count('integration_logs', userId, 'channels_sync')).toBe(applied ? 2 : 1);
    },
    60_000,
  );

  it.each(cases)(
    'a message queued: $name',
    async ({ when, outageMs, applied, answered, index }) => {
      const userId = 2620 + index;
      const session = await loginByCode(t, userId, phoneOf(userId));
      const chat = [...(await syncChats(t, userId, session)).values()][0];
      const text = `exactly once or not at all #${index}`;
      // No Idempotency-Key: nothing but the commit itself keeps a retried change from queueing it twice.
      const sendIt = () => send(t, userId, { session_id: session, channel_id: chat.id, text });
      const res = await cutDuring(when, outageMs, sendIt);
      expectAnswer(res, answered, 202);

      const rows = await t.db.query<{ id: string }>(
        'SELECT id::text AS id FROM telegram_messages WHERE user_id = $1',
        [userId],
      );
      expect(rows).toHaveLength(applied ? 1 : 0);
      const pending = await t.db.query(
        `SELECT 1 FROM integration_logs WHERE user_id = $1 AND action = 'send_message' AND status = 'pending'`,
        [userId],
      );
      expect(pending).toHaveLength(rows.length);
      expect(await count('integration_events', userId, 'telegram.message.queued')).toBe(rows.length);
      if (answered) expect(res.json<{ message_id: string }>().message_id).toBe(rows[0].id);

      // PostgreSQL is back: a stored message is sent once; one that was not stored is sent again by the client.
      let id = rows[0]?.id;
      if (!applied) {
        const again = await sendIt();
        expect(again.statusCode).toBe(202);
        id = again.json<{ message_id: string }>().message_id;
      }
      await waitFor(t, userId, id, (m) => m.status === 'sent');
      const delivered = (await history(t, userId, chat.channel_id)).filter((m) => m.text === text);
      expect(delivered).toHaveLength(1);
      expect(await count('integration_events', userId, 'telegram.message.queued')).toBe(1);
      expect(await count('integration_events', userId, 'telegram.message.sent')).toBe(1);
    },
    60_000,
  );
});
