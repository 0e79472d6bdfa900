import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type { TestApp } from './support/app';
import { openBrowser, type TestBrowser } from './support/browser';
import { call, createTelegramWorld, loginByCode, type TelegramWorld } from './support/telegram';

const PHONE = '+9996621234';
const BOT_TOKEN = '9997720001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** Russian plural forms (CLDR: one, few, many) of a number. */
function ruForm(n: number): 'one' | 'few' | 'many' {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return 'one';
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return 'few';
  return 'many';
}

/**
 * What a newcomer meets in the first hour, in a real browser (Debian's chromium) against the real
 * service and the emulator: the service's address leads to the console, the emulator screen says which
 * emulator it talks to, senders are named, and the Russian console says each error once, with plurals
 * that agree and a summary that matches its chart.
 */
describe('the console in the first hour', () => {
  let world: TelegramWorld;
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await openBrowser('ru-RU');
    page = browser.page;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await world?.cleanup();
  });

  it('the service’s address opens the console; sign in with the development token', async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/console/');
    await page.getByRole('button', { name: 'Войти с токеном разработчика' }).click();
    await page.getByRole('heading', { level: 1, name: 'Аккаунты Telegram' }).waitFor();
  });

  it('the emulator screen says it talks to the emulator server over TCP, and where', async () => {
    await page.goto(`${base}/console/#/emulator`);
    const reach = page.getByTestId('emulator-reach');
    await reach.waitFor();
    const address = world.server?.network.dcs.find((dc) => dc.dcId === world.server?.network.defaultDcId);
    expect(await reach.textContent()).toContain(`${address?.host}:${address?.port} по TCP`);
  });

  it('an error is said once, in Russian (no English API message after it)', async () => {
    await page.goto(`${base}/console/#/accounts`);
    const form = page.getByRole('region', { name: 'Подключить по номеру' });
    await form.getByLabel('Номер телефона').fill(PHONE);
    await form.getByRole('button', { name: 'Отправить код' }).click();
    await form.getByLabel('Код входа').fill('11111');
    await form.getByRole('button', { name: 'Войти' }).click();
    const alert = form.getByRole('alert');
    await alert.getByText('Неверный код. Проверьте и попробуйте снова.').waitFor();
    expect(await alert.locator('p').first().textContent()).toBe(
      'Неверный код. Проверьте и попробуйте снова.',
    );
  });

  it('channels name their senders by phone and @username, never by id', async () => {
    const session = await loginByCode(t, 1, PHONE);
    expect(
      (await call(t, 1, 'POST', '/api/v1/telegram/channels/sync', { session_id: session })).statusCode,
    ).toBe(200);
    const bot = (await call(t, 1, 'POST', '/api/v1/telegram/bots', { bot_token: BOT_TOKEN })).json() as {
      id: string;
    };
    const chats = (await call(t, 1, 'GET', '/api/v1/telegram/channels?type=channel')).json() as {
      items: { id: string; channel_id: string; senders: { can_post: boolean }[] }[];
    };
    const own = chats.items.find((c) => c.senders.some((s) => s.can_post));
    const added = await call(t, 1, 'POST', '/api/v1/dev/telegram-emulator/chats/add-bot', {
      chat_id: own?.channel_id,
      bot_id: bot.id,
      admin: true,
    });
    expect(added.statusCode).toBeLessThan(300);
    expect(
      (await call(t, 1, 'POST', '/api/v1/telegram/channels', { bot_id: bot.id, chat: own?.channel_id }))
        .statusCode,
    ).toBe(201);
    await page.goto(`${base}/console/#/channels`);
    const row = page.getByTestId(`channel-${own?.channel_id}`);
    await row.getByText('@emu_0001_bot', { exact: false }).waitFor();
    const senders = (await row.textContent()) ?? '';
    expect(senders).toContain(PHONE);
    expect(senders).not.toMatch(UUID);
  });

  it('the send screen counts characters against the limit in an agreeing plural', async () => {
    await page.goto(`${base}/console/#/send`);
    const counter = page.locator('#send-length');
    await counter.getByText('0 / 4096 символов').waitFor();
    await page
      .locator('#send-file')
      .setInputFiles({ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a') });
    await counter.getByText('0 / 1024 символа').waitFor();
  });

  it('the audit summary counts pending rows like the API, in agreeing Russian plurals, and the chart adds up to it', async () => {
    const chats = (await call(t, 1, 'GET', '/api/v1/telegram/channels?type=channel')).json() as {
      items: { id: string; senders: { type: string; id: string; can_post: boolean }[] }[];
    };
    const chat = chats.items.find((c) => c.senders.some((s) => s.type === 'account' && s.can_post));
    const sender = chat?.senders.find((s) => s.type === 'account')?.id;
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const queued = await call(t, 1, 'POST', '/api/v1/telegram/send', {
      session_id: sender,
      channel_id: chat?.id,
      text: 'In an hour',
      send_at: later,
    });
    expect(queued.statusCode).toBe(202);
    const stats = (await call(t, 1, 'GET', '/api/v1/telegram/stats/errors?days_back=30')).json() as {
      total_actions: number;
      error_count: number;
      success_count: number;
    };
    const pending = stats.total_actions - stats.success_count - stats.error_count;
    expect(pending).toBeGreaterThanOrEqual(1);

    await page.goto(`${base}/console/#/audit`);
    const summary = page.getByTestId('error-rate');
    await summary.waitFor();
    const text = (await summary.textContent()) ?? '';
    const errorsWord = { one: 'ошибка', few: 'ошибки', many: 'ошибок' }[ruForm(stats.error_count)];
    const actionsWord = { one: 'действия', few: 'действий', many: 'действий' }[ruForm(stats.total_actions)];
    expect(text).toContain(`(${stats.error_count} ${errorsWord} из ${stats.total_actions} ${actionsWord})`);
    expect(text).toContain(`${pending} `);
    expect(text).toMatch(/ждут исхода|ждёт исхода/);

    // The chart's days (its table for screen readers) add up to the summary's total.
    const days = await page.locator('.sr-only table td').allTextContents();
    const sum = days
      // "07.12: успешно 5, с ошибкой 1, ждут исхода 1": the counts come after the date.
      .map((day) => [...day.split(': ')[1]!.matchAll(/\d+/g)].reduce((acc, [n]) => acc + Number(n), 0))
      .reduce((acc, n) => acc + n, 0);
    expect(sum).toBe(stats.total_actions);
    expect(browser.problems).toEqual([]);
  });
});
