/// <reference lib="dom" />
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestApp } from './support/app';
import { captureScreen, openBrowser, SCREENSHOTS, type TestBrowser } from './support/browser';
import { TelegramGateway } from '../src/telegram/gateway/telegram-gateway';
import { createTelegramWorld, loginByCode, storedSession, type TelegramWorld } from './support/telegram';

const TWO_FA_PHONE = '+9996622345';
const QR_SCANNER = '+9996631234';
const FLOOD_PHONE = '+9996618000';
const QR_TWO_FA = '+9996632345';
const BOT_TOKEN = '9997720001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';

/**
 * The console in a real browser (Debian's chromium through playwright-core) against the real
 * service listening on an ephemeral port, real PostgreSQL and the Telegram emulator. Steps share
 * one page, in order, like a newcomer trying every flow.
 */
describe('the management console in a browser', () => {
  let world: TelegramWorld;
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  const violations: string[] = [];

  const go = async (screen: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen }).click();
    await page
      .getByRole('heading', { level: 1, name: screen === 'Accounts' ? 'Telegram accounts' : undefined })
      .first()
      .waitFor();
  };
  const devToken = async () => {
    const res = await fetch(`${base}/api/v1/dev/token`);
    return ((await res.json()) as { token: string }).token;
  };

  beforeAll(async () => {
    // Short-lived QR tokens, so the test sees the image renew itself.
    world = await createTelegramWorld({ qrTokenTtlMs: 6000 });
    // A fast send queue, as in test/messages.e2e-spec.ts: a send goes within about a second.
    t = await world.start({
      SEND_PER_CHAT_INTERVAL_MS: '100',
      SEND_POLL_INTERVAL_MS: '500',
      SEND_RETRY_BASE_MS: '100',
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await openBrowser('en-US');
    page = browser.page;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await world?.cleanup();
  });

  it('sign-in: a token that the service refuses sends you back to sign-in with the reason', async () => {
    await page.goto(`${base}/console`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    violations.push(...(await captureScreen(page, 'sign-in')));
    const forged = t.token(1).replace(/\.[^.]+$/, '.c2lnbmF0dXJlLW9mLXNvbWVvbmUtZWxzZQ');
    await page.getByLabel('Access token (JWT)').fill(forged);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText(/You were signed out: .*signature/i).waitFor();
    expect(page.url()).not.toContain(forged);
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(forged);
  });

  it('sign-in: the development button takes a token; it is kept in sessionStorage, never in the URL', async () => {
    await page.getByRole('button', { name: 'Sign in with a development token' }).click();
    await page.getByRole('heading', { name: 'Telegram accounts' }).waitFor();
    const stored = await page.evaluate(() => sessionStorage.getItem('integration-console.token'));
    expect(stored).toMatch(/^ey/);
    expect(page.url()).not.toContain(String(stored));
  });

  it('live updates: once the WebSocket is authenticated the header says so', async () => {
    await page.getByRole('status').filter({ hasText: 'Live updates on' }).waitFor();
  });

  it('accounts: connect by phone, a wrong code (the API’s error in words), the right one, then the 2FA password', async () => {
    const phoneForm = page.getByRole('region', { name: 'Connect by phone' });
    await phoneForm.getByLabel('Phone number').fill(TWO_FA_PHONE);
    await phoneForm.getByRole('button', { name: 'Send code' }).click();
    await phoneForm.getByLabel('Login code').fill('11111');
    await phoneForm.getByRole('button', { name: 'Sign in' }).click();
    await phoneForm.getByRole('alert').getByText('Wrong code. Check it and try again.').waitFor();
    await phoneForm.getByText(/Code phone_code_invalid, HTTP 400/).waitFor();
    await phoneForm.getByLabel('Login code').fill('22222');
    await phoneForm.getByRole('button', { name: 'Sign in' }).click();
    const password = phoneForm.getByLabel('Two-step verification password');
    await password.waitFor();
    expect(await password.getAttribute('type')).toBe('password');
    await password.fill('emulator-2fa');
    await phoneForm.getByRole('button', { name: 'Send password' }).click();
    await phoneForm.getByText('Connected.').waitFor();
    const row = page.getByTestId(`account-${TWO_FA_PHONE}`);
    await row.getByText('connected').waitFor();
  });

  it('accounts: a flood wait is shown in words with a countdown, the button disabled until it ends', async () => {
    const phoneForm = page.getByRole('region', { name: 'Connect by phone' });
    await phoneForm.getByLabel('Phone number').fill(FLOOD_PHONE);
    await phoneForm.getByRole('button', { name: 'Send code' }).click();
    await phoneForm.getByText('Telegram asks to wait before trying again.').waitFor();
    const countdown = phoneForm.getByText(/^You can try again in \d+ s\.$/);
    const first = Number((await countdown.textContent())?.match(/\d+/)?.[0]);
    expect(first).toBeGreaterThan(100);
    expect(first).toBeLessThanOrEqual(120);
    expect(await phoneForm.getByRole('button', { name: 'Send code' }).isDisabled()).toBe(true);
    await page.waitForFunction(
      (before) => Number(document.querySelector('.countdown')?.textContent?.match(/\d+/)?.[0]) < before,
      first,
    );
    violations.push(...(await captureScreen(page, 'accounts-flood')));
  });

  it('accounts: QR login renews its image by itself and moves on by itself after an emulated scan', async () => {
    const qr = page.getByRole('region', { name: 'Connect by QR code' });
    const started = page.waitForResponse((r) => r.url().endsWith('/api/v1/telegram/qr-code'));
    await qr.getByRole('button', { name: 'Show a QR code' }).click();
    const { session_id: sessionId } = (await (await started).json()) as { session_id: string };
    const image = qr.getByRole('img', { name: 'QR code to scan with the Telegram app' });
    const first = await image.getAttribute('src');
    expect(first).toMatch(/^data:image\/png;base64,/);
    // The token lives 4 s here: a later poll shows a new code without anyone clicking.
    await page.waitForFunction(
      (src) => document.querySelector('.qr img')?.getAttribute('src') !== src,
      first,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'accounts-qr-desktop.png') });
    // The phone scans (the emulator's control route, called from outside the browser).
    const scan = await fetch(`${base}/api/v1/dev/telegram-emulator/qr/scan`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await devToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId, phone: QR_SCANNER }),
    });
    expect(scan.status).toBe(200);
    await qr.getByText('Scanned and connected.').waitFor({ timeout: 15_000 });
    await page.getByTestId(`account-${QR_SCANNER}`).getByText('connected').waitFor({ timeout: 15_000 });
    violations.push(...(await captureScreen(page, 'accounts')));
  });

  it('bots: add by token in a password field, never shown again', async () => {
    await go('Bots');
    const token = page.getByLabel('Bot token from BotFather');
    expect(await token.getAttribute('type')).toBe('password');
    await token.fill(BOT_TOKEN);
    await page.getByRole('button', { name: 'Add bot' }).click();
    await page.getByText('Bot @emu_0001_bot added.').waitFor();
    expect(await token.inputValue()).toBe('');
    await page.getByTestId('bot-emu_0001_bot').getByText('active').waitFor();
    await page.getByTestId('bot-emu_0001_bot').getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('bot-emu_0001_bot').getByText('active').waitFor();
    expect(await page.content()).not.toContain(BOT_TOKEN.split(':')[1]);
    violations.push(...(await captureScreen(page, 'bots')));
  });

  it('accounts: a GramJS session made elsewhere is imported through the dialog, never shown again', async () => {
    // Made elsewhere: another platform user logs the account in, and that client stops.
    const elsewhere = await loginByCode(t, 424242, '+9996610977');
    await t.app.get(TelegramGateway).release(elsewhere);
    const session = (await storedSession(t, world.db, elsewhere))?.session ?? '';
    expect(session).not.toBe('');
    await go('Accounts');
    await page.getByLabel('Made by').selectOption('gramjs');
    await page.getByLabel('Session string').fill(session);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported and connected: +9996610977.').waitFor();
    expect(await page.getByLabel('Session string').inputValue()).toBe('');
    expect(await page.content()).not.toContain(session);
    violations.push(...(await captureScreen(page, 'accounts-import')));
  });

  it('API keys: made with scopes, shown once to copy, works as X-API-Key, last use shown, revoked after a confirmation', async () => {
    await go('API keys');
    await page.getByLabel('Name').fill('Nightly script');
    await page.getByRole('checkbox', { name: 'bots:read' }).check();
    await page.getByRole('button', { name: 'Make key' }).click();
    const shown = (await page.getByTestId('api-key-value').textContent()) ?? '';
    expect(shown).toMatch(/^isk_/);
    const used = await t.inject({
      method: 'GET',
      url: '/api/v1/telegram/bots',
      headers: { 'x-api-key': shown },
    });
    expect(used.statusCode).toBe(200);
    violations.push(...(await captureScreen(page, 'api-keys')));
    await page.getByRole('button', { name: 'Hide the key' }).click();
    await page.reload();
    await page.getByTestId('api-key-Nightly script').getByText('bots:read').waitFor();
    expect(await page.getByTestId('api-key-Nightly script').getByText('—').count()).toBe(0);
    expect(await page.content()).not.toContain(shown);
    await page.getByTestId('api-key-Nightly script').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('No keys yet.').waitFor();
    const after = await t.inject({
      method: 'GET',
      url: '/api/v1/telegram/bots',
      headers: { 'x-api-key': shown },
    });
    expect(after.statusCode).toBe(401);
  });

  it('channels: sync from an account with result counts, filter by type, search, who can post', async () => {
    await go('Channels and groups');
    await page.getByLabel('Account', { exact: true }).selectOption({ label: TWO_FA_PHONE });
    await page.getByRole('button', { name: 'Sync' }).click();
    const result = page.getByTestId('sync-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Synced: 5 added, 0 updated, 0 deactivated, 5 in total\./);
    await page.getByText('5 chats').waitFor();
    await page.getByLabel('Type').selectOption('group');
    await page.getByText('1 chat', { exact: true }).waitFor();
    const group = page.locator('tbody tr');
    expect(await group.count()).toBe(1);
    expect(await group.first().textContent()).toContain('7');
    await page.getByLabel('Type').selectOption('');
    await page.getByLabel('Title or username').fill('Channel 1');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 chat', { exact: true }).waitFor();
    expect(await page.locator('tbody tr').first().textContent()).toMatch(/account \+9996622345 \(creator\)/);
    violations.push(...(await captureScreen(page, 'channels')));
  });

  it('audit log: filter by status, page through, walk by cursor; the error chart with the rate', async () => {
    await go('Audit log');
    await page.getByTestId('error-rate').waitFor();
    expect(await page.getByTestId('error-rate').textContent()).toMatch(
      /Error rate \d+\.\d % \(\d+ errors of \d+ actions\)/,
    );
    await page.getByLabel('Status').selectOption('error');
    await page.getByRole('button', { name: 'Apply' }).click();
    // The wrong code and the flood wait: the only two errors so far.
    await page.getByText(/^2 entries$/).waitFor();
    const errors = await page.getByTestId('audit-row').allTextContents();
    expect(errors).toHaveLength(2);
    expect(errors.join(' ')).toMatch(/sign_in.*error/);
    expect(errors.every((row) => row.includes('error'))).toBe(true);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Per page').selectOption('5');
    await page.getByRole('button', { name: 'Apply' }).click();
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await pager.getByText(/^Page 1 of \d+$/).waitFor();
    const firstPage = await page.getByTestId('audit-row').allTextContents();
    expect(firstPage).toHaveLength(5);
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText(/^Page 2 of \d+$/).waitFor();
    // The pager's label changes before the new rows arrive: wait until the table shows another page.
    await page.waitForFunction(
      (first) =>
        Array.from(document.querySelectorAll('[data-testid="audit-row"]')).every(
          (row) => !first.includes(row.textContent ?? ''),
        ),
      firstPage,
    );
    const secondPage = await page.getByTestId('audit-row').allTextContents();
    expect(secondPage.some((row) => firstPage.includes(row))).toBe(false);
    await page.getByLabel('Walk by cursor (fast deep paging)').check();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-row"]').length === 5);
    await page.getByRole('button', { name: 'Load more' }).click();
    const total = Number((await page.getByTestId('audit-total').textContent())?.match(/\d+/)?.[0]);
    expect(total).toBeGreaterThan(5);
    await page.waitForFunction(
      (expected) => document.querySelectorAll('[data-testid="audit-row"]').length === expected,
      Math.min(10, total),
    );
    violations.push(...(await captureScreen(page, 'audit')));
  });

  it('health, send and emulator screens render (axe-clean)', async () => {
    await go('Health');
    await page.getByRole('rowheader', { name: 'database' }).waitFor();
    violations.push(...(await captureScreen(page, 'health')));
    await go('Send');
    await page.getByLabel('From').waitFor();
    violations.push(...(await captureScreen(page, 'send')));
    await go('Emulator');
    await page.getByText('emulator-2fa').first().waitFor();
    violations.push(...(await captureScreen(page, 'emulator')));
  });

  it('send: from an account to a synced channel; the status follows live to sent', async () => {
    await go('Send');
    await page.getByLabel('From').selectOption({ label: `account ${TWO_FA_PHONE}` });
    const target = page.getByLabel('To');
    await target.locator('option').first().waitFor({ state: 'attached' });
    const chat = await target.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.text);
    expect(chat).toBeTruthy();
    await page.getByLabel('Text', { exact: true }).fill('Hello from the console');
    const accepted = page.waitForResponse((r) => r.url().endsWith('/api/v1/telegram/send'));
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const answer = await accepted;
    expect(answer.status()).toBe(202);
    const { message_id: id, chat_id: chatId } = (await answer.json()) as {
      message_id: string;
      chat_id: string;
    };
    const row = page.getByTestId(`message-${id}`);
    await row.getByText('sent', { exact: true }).waitFor({ timeout: 15_000 });
    await row.getByText(/^Telegram message \d+$/).waitFor();
    // It really reached the emulated chat.
    const history = await fetch(`${base}/api/v1/dev/telegram-emulator/chats/${chatId}/messages`, {
      headers: { authorization: `Bearer ${await devToken()}` },
    });
    expect(history.status).toBe(200);
    const { messages } = (await history.json()) as { messages: { text: string }[] };
    expect(messages.map((m) => m.text)).toContain('Hello from the console');
  });

  it('send: a flood wait armed by the emulator button shows the countdown, then sent', async () => {
    await page.getByLabel('Flood wait (seconds)').fill('4');
    await page.getByRole('button', { name: 'Emulator: next send gets FLOOD_WAIT' }).click();
    await page.getByText(`Armed: the next send from ${TWO_FA_PHONE} gets FLOOD_WAIT_4.`).waitFor();
    await page.getByLabel('Text', { exact: true }).fill('After the flood');
    const accepted = page.waitForResponse((r) => r.url().endsWith('/api/v1/telegram/send'));
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const { message_id: id } = (await (await accepted).json()) as { message_id: string };
    const started = Date.now();
    const row = page.getByTestId(`message-${id}`);
    // The badge says "waiting"; the countdown beside it only the time (never "waiting waiting").
    const countdown = row.getByText(/^\d+ s left$/);
    await countdown.waitFor({ timeout: 10_000 });
    const first = Number((await countdown.textContent())?.match(/\d+/)?.[0]);
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(4);
    await row.getByText('waiting', { exact: true }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'send-waiting-desktop.png'), fullPage: true });
    await row.getByText('sent', { exact: true }).waitFor({ timeout: 15_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    await row.getByText(/^Telegram message \d+$/).waitFor();
    violations.push(...(await captureScreen(page, 'send-sent')));
  });

  it('bots: settings edited as JSON, then removed after a confirmation', async () => {
    await go('Bots');
    const row = page.getByTestId('bot-emu_0001_bot');
    await row.getByRole('button', { name: 'Settings' }).click();
    const editor = row.getByLabel('Settings of @emu_0001_bot (JSON)');
    await editor.fill('[1, 2]');
    await row.getByRole('button', { name: 'Save settings' }).click();
    await row.getByText('Settings must be a JSON object').waitFor();
    await editor.fill('{"signature": "— the console"}');
    await row.getByRole('button', { name: 'Save settings' }).click();
    await editor.waitFor({ state: 'detached' });
    const token = await devToken();
    const [bot] = (await (
      await fetch(`${base}/api/v1/telegram/bots`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { settings: Record<string, unknown> }[];
    expect(bot.settings).toEqual({ signature: '— the console' });
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByText('Remove @emu_0001_bot?').waitFor();
    await row.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('No bots yet.').waitFor();
  });

  it('accounts: revoked on Telegram’s side (emulator button), reconnect reports it; disconnect after a confirmation', async () => {
    await go('Accounts');
    const scanned = page.getByTestId(`account-${QR_SCANNER}`);
    await scanned.getByRole('button', { name: 'Emulator: revoke on Telegram' }).click();
    await page
      .getByTestId('revoke-result')
      .getByText(`Telegram now refuses 1 session of ${QR_SCANNER}`)
      .waitFor();
    await scanned.getByRole('button', { name: 'Reconnect' }).click();
    await scanned.waitFor({ state: 'detached' });
    await page.getByLabel('Show inactive').check();
    const revoked = page.getByTestId(`account-${QR_SCANNER}`);
    await revoked.getByText('revoked').waitFor();
    // A reconnect of a revoked session cannot work: the row offers Remove instead.
    expect(await revoked.getByRole('button').allTextContents()).toEqual(['Remove']);
    const phone = page.getByTestId(`account-${TWO_FA_PHONE}`);
    await phone.getByRole('button', { name: 'Disconnect' }).click();
    await phone.getByText(`Log ${TWO_FA_PHONE} out of Telegram?`).waitFor();
    await phone.getByRole('button', { name: 'Cancel' }).click();
    await phone.getByText('connected', { exact: true }).waitFor();
    await phone.getByRole('button', { name: 'Disconnect' }).click();
    await phone.getByRole('button', { name: 'Confirm' }).click();
    await phone.getByText('disconnected').waitFor();
    violations.push(...(await captureScreen(page, 'accounts-inactive')));
  });

  it('accounts: a QR code scanned by a 2FA user asks for the phone and password, then connects', async () => {
    const qr = page.getByRole('region', { name: 'Connect by QR code' });
    const started = page.waitForResponse((r) => r.url().endsWith('/api/v1/telegram/qr-code'));
    await qr.getByRole('button', { name: 'Show a QR code' }).click();
    await (await started).json();
    await qr.getByLabel('Scan as emulated user (phone)').fill(QR_TWO_FA);
    await qr.getByRole('button', { name: 'Emulator: scan this QR code' }).click();
    await qr.getByText('Scanned. The account has two-step verification').waitFor({ timeout: 15_000 });
    await qr.getByLabel('Phone number').fill(QR_TWO_FA);
    await qr.getByLabel('Two-step verification password').fill('emulator-2fa');
    await qr.getByRole('button', { name: 'Send password' }).click();
    await qr.getByText('Scanned and connected.').waitFor();
    await page.getByTestId(`account-${QR_TWO_FA}`).getByText('connected', { exact: true }).waitFor();
  });

  it('languages: switched in the UI (and remembered), default from the browser’s language', async () => {
    await go('Accounts');
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('heading', { level: 1, name: 'Аккаунты Telegram' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ru');
    await page
      .getByRole('navigation', { name: 'Основное меню' })
      .getByRole('link', { name: 'Журнал аудита' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Журнал аудита' }).waitFor();
    violations.push(...(await captureScreen(page, 'audit-ru')));
    await page.getByLabel('Язык').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();

    const russian = await openBrowser('ru-RU');
    try {
      await russian.page.goto(`${base}/console/`);
      await russian.page.getByRole('heading', { name: 'Вход' }).waitFor();
      expect(russian.problems).toEqual([]);
    } finally {
      await russian.close();
    }
  });

  it('keyboard: after a reload (still signed in) Tab reaches the skip link first, with a visible focus ring', async () => {
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      return element ? { text: element.textContent, outline: getComputedStyle(element).outlineStyle } : null;
    });
    expect(focused?.text).toBe('Skip to content');
    expect(focused?.outline).toBe('solid');
  });

  it('no serious accessibility violation on any screen, at 1280 and 390 px; no console errors', () => {
    expect(violations).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
