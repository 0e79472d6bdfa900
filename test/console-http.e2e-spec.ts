import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { consoleRoot } from '../src/console/console-static';
import { JwtVerifier } from '../src/common/auth/jwt-verifier';
import { openTestApp, type OpenedTestApp } from './support/app';

/** The console's static files (built by `npm run build` into dist/console) and its development routes. */
describe('the management console at /console', () => {
  const root = consoleRoot(join(__dirname, '..', 'src', 'console'));
  let dev: OpenedTestApp;
  let production: OpenedTestApp;
  beforeAll(async () => {
    dev = await openTestApp({ TELEGRAM_EMULATOR: 'true' });
    production = await openTestApp({ NODE_ENV: 'production', ALLOW_DEVELOPMENT_DEFAULTS: 'true' });
  });
  afterAll(async () => {
    await dev?.close();
    await production?.close();
  });

  it('is built (npm run build) into dist/console', () => {
    expect(root).toBeDefined();
  });

  it('its JavaScript is under 300 kB gzipped', () => {
    const dir = join(root as string, 'assets');
    const gzipped = readdirSync(dir)
      .filter((name) => name.endsWith('.js'))
      .reduce((sum, name) => sum + gzipSync(readFileSync(join(dir, name)), { level: 9 }).length, 0);
    console.log(`console JS bundle: ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
    expect(gzipped).toBeLessThan(300 * 1024);
  });

  it('/console redirects to /console/, which serves index.html without a token, never cached, with the CSP', async () => {
    const bare = await production.inject('/console');
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/console/');
    const res = await production.inject({ url: '/console/', headers: { host: '127.0.0.1:8001' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<div id="root"></div>');
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:8001 wss://127.0.0.1:8001");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('GET / redirects to the console without a token, in production too', async () => {
    const res = await production.inject('/');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/console/');
  });

  it('hashed assets are immutable for a year and revalidate by ETag', async () => {
    const assets = readdirSync(join(root as string, 'assets'));
    const script = assets.find((name) => /^index-[\w-]+\.js$/.test(name));
    expect(script).toBeDefined();
    const res = await production.inject(`/console/assets/${script}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const again = await production.inject({
      url: `/console/assets/${script}`,
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('an unknown console file is the usual JSON 404, and the API still needs its token', async () => {
    const missing = await production.inject('/console/assets/nope.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ status_code: 404 });
    expect((await production.inject('/api/v1/telegram/accounts')).statusCode).toBe(401);
  });

  it('a body sent to a console route is not refused by the pre-body authentication (the route is public)', async () => {
    const res = await production.inject({
      method: 'GET',
      url: '/console/',
      headers: { 'content-type': 'text/plain', 'content-length': '2' },
      payload: 'hi',
    });
    expect(res.statusCode).toBe(200);
  });

  it('development: GET /api/v1/dev/token hands out a valid token for user 1; /api/v1/dev/console says the emulator is on', async () => {
    const res = await dev.inject('/api/v1/dev/token');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ token: string; user_id: number; expires_at: string; token_type: string }>();
    expect(body.user_id).toBe(1);
    expect(body.token_type).toBe('Bearer');
    expect(await new JwtVerifier(dev.config.jwt).verify(body.token)).toBe(1);
    const accounts = await dev.inject({
      url: '/api/v1/telegram/accounts',
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(accounts.statusCode).toBe(200);
    // It also says how the emulator is reached (this app keeps its world in process).
    expect((await dev.inject('/api/v1/dev/console')).json()).toEqual({
      emulator: true,
      token_route: true,
      emulator_transport: 'in-process',
    });
    // The token never reaches a log line.
    expect(dev.rawLogs()).not.toContain(body.token);
  });

  it('production: the development routes do not exist', async () => {
    expect((await production.inject('/api/v1/dev/token')).statusCode).toBe(404);
    expect((await production.inject('/api/v1/dev/console')).statusCode).toBe(404);
  });

  it('without the emulator (development defaults, real Telegram configured) the token route is absent too', async () => {
    const real = await openTestApp({
      TELEGRAM_API_ID: '12345',
      TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
    });
    try {
      expect((await real.inject('/api/v1/dev/token')).statusCode).toBe(404);
    } finally {
      await real.close();
    }
  });
});
