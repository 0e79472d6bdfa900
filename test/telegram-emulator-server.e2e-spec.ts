import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import jwt from 'jsonwebtoken';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { StringSession } from 'telegram/sessions';
import { freePort } from '../src/database/embedded-postgres';
import { EMULATOR_API_CREDENTIALS } from '../src/telegram-emulator-wiring/emulator-credentials';
import { createEmulatorServerClient } from '@integration-service/telegram-emulator';
import { TEST_JWT_SECRET, type TestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { startEmulatorProcess, type EmulatorProcess } from './support/emulator-process';
import { finished, spawnNode } from './support/process';
import {
  call,
  createTelegramWorld,
  loginByCode,
  storedSession,
  type TelegramWorld,
} from './support/telegram';

const ACCOUNTS = '/api/v1/telegram/accounts';

interface Service {
  readonly base: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

describe('emulator server process: one world for service restarts and for two service processes', () => {
  let db: TestDatabase;
  let emulator: EmulatorProcess;
  let dataDir: string;
  const services: Service[] = [];
  const token = jwt.sign({ user_id: 901 }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 600 });

  async function startService(): Promise<Service> {
    const port = await freePort();
    const child = spawnNode('src/main.js', [], {
      DATABASE_URL: db.url,
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir, // the local cipher's key ring: both processes must read each other's rows
      RATE_LIMIT_ENABLED: 'false',
      TELEGRAM_EMULATOR: 'true',
      TELEGRAM_EMULATOR_URL: emulator.url,
      TELEGRAM_EMULATOR_CONTROL_URL: emulator.control_url,
    });
    const exit = finished(child, 120_000);
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      if (
        await fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const service: Service = {
      base,
      child,
      stop: async () => {
        child.kill('SIGTERM');
        await exit.catch(() => undefined);
      },
    };
    services.push(service);
    return service;
  }

  const request = async (s: Service, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'emulator-services-'));
    emulator = await startEmulatorProcess();
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    await emulator?.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('two service processes on one database and one emulator server: the code from A, the sign-in on B; then a restart of A keeps the account connected', async () => {
    const a = await startService();
    const b = await startService();
    const phone = '+9996621901';
    const sent = await request(a, 'POST', '/api/v1/telegram/connect', { phone });
    expect(sent).toMatchObject({ status: 200, json: { status: 'code_required' } });
    const signedIn = await request(b, 'POST', '/api/v1/telegram/connect', { phone, code: '22222' });
    expect(signedIn).toMatchObject({ status: 200, json: { status: 'success' } });
    const id = signedIn.json.session_id as string;

    // B keeps its client parked; A proves the session through its own connection once B let it go.
    await b.stop();
    expect((await request(a, 'POST', `${ACCOUNTS}/${id}/reconnect`)).json).toMatchObject({
      is_active: true,
      session_metadata: { status: 'connected', dc_id: 2 },
    });

    // The service alone restarts; the emulated world (and the key it knows) lives on in the emulator process.
    await a.stop();
    const again = await startService();
    const reconnected = await request(again, 'POST', `${ACCOUNTS}/${id}/reconnect`);
    expect(reconnected).toMatchObject({
      status: 200,
      json: { is_active: true, session_metadata: { status: 'connected', last_error: null } },
    });
    expect(emulator.child.exitCode).toBeNull();
  });
});

describe('emulator server faults: drop, stall, one key from two connections', () => {
  let world: TelegramWorld;
  let t: TestApp;
  // Long enough for a fresh auth-key exchange on a loaded 2-core machine (GramJS does its DH half in pure JS).
  const CALL_TIMEOUT_MS = 5000;

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start({ TELEGRAM_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS) });
  });
  afterAll(() => world.cleanup());

  const fault = (userId: number, body: Record<string, unknown>) =>
    call(t, userId, 'POST', '/api/v1/dev/telegram-emulator/faults', body);

  it('a dropped connection is reconnected by GramJS and the next call succeeds', async () => {
    const id = await loginByCode(t, 911, '+9996611911');
    const dropped = await fault(911, { session_id: id, fault: 'drop' });
    expect(dropped.json()).toEqual({ connections: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const res = await call(t, 911, 'POST', `${ACCOUNTS}/${id}/reconnect`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ is_active: true, session_metadata: { status: 'connected' } });
  });

  it('a stalled connection makes the call fail within TELEGRAM_CALL_TIMEOUT_MS with 503, not hang', async () => {
    const id = await loginByCode(t, 912, '+9996611912');
    expect((await fault(912, { session_id: id, fault: 'stall' })).json()).toEqual({ connections: 1 });
    const started = Date.now();
    const res = await call(t, 912, 'POST', `${ACCOUNTS}/${id}/reconnect`);
    const elapsed = Date.now() - started;
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'dependency_unavailable', reason: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(CALL_TIMEOUT_MS * 2 + 1000);
    // The stalled client was dropped; a new connection (not stalled) proves the session again.
    expect((await call(t, 912, 'POST', `${ACCOUNTS}/${id}/reconnect`)).statusCode).toBe(200);
  });

  it('a fault on an account that is not yours is 404; a bad fault is 400', async () => {
    const id = await loginByCode(t, 913, '+9996611913');
    expect((await fault(914, { session_id: id, fault: 'drop' })).statusCode).toBe(404);
    expect((await fault(913, { session_id: id, fault: 'explode' })).statusCode).toBe(400);
    expect((await fault(913, { session_id: id, fault: 'delay', ms: -1 })).statusCode).toBe(400);
  });

  it('one auth key used from two TCP connections at once → AUTH_KEY_DUPLICATED: the account needs a new login', async () => {
    const id = await loginByCode(t, 915, '+9996611915');
    const stolen = (await storedSession(t, world.db, id))?.session ?? '';
    const server = world.server;
    if (!server) throw new Error('this test needs the emulator server (TELEGRAM_TEST_TRANSPORT unset)');
    const intruder = createEmulatorServerClient(server.network)(
      new StringSession(stolen),
      EMULATOR_API_CREDENTIALS.apiId,
      EMULATOR_API_CREDENTIALS.apiHash,
      { baseLogger: new Logger(LogLevel.NONE), connectionRetries: 1 },
    );
    try {
      await expect(intruder.connect()).rejects.toMatchObject({ errorMessage: 'AUTH_KEY_DUPLICATED' });
      const res = await call(t, 915, 'POST', `${ACCOUNTS}/${id}/reconnect`);
      expect(res.json()).toMatchObject({
        is_active: false,
        session_metadata: { status: 'error', last_error: 'AUTH_KEY_DUPLICATED' },
      });
    } finally {
      await intruder.destroy();
    }
  });
});
