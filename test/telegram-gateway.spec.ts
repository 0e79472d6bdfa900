import type { PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../src/config/app-config';
import { HealthRegistry } from '../src/health/health-registry';
import { MetricsService } from '../src/metrics/metrics.service';
import { createEmulatedClient, TelegramEmulator } from '@integration-service/telegram-emulator';
import { ClientPool, signInWithCode } from '@integration-service/telegram-emulator/testing';
import {
  TelegramAuthRestartError,
  TelegramSessionBusyError,
  TelegramSessionRevokedError,
  TelegramUnavailableError,
} from '../src/telegram/telegram.errors';
import { EMULATOR_API_CREDENTIALS } from '../src/telegram-emulator-wiring/emulator-credentials';
import type { GatewayCredentials } from '../src/telegram/gateway/telegram-credentials';
import type { SessionLeases } from '../src/telegram/leases/session-leases';
import { TelegramGateway, type TelegramClientFactory } from '../src/telegram/gateway/telegram-gateway';
import { AUTH_RESTART_ATTEMPTS } from '../src/telegram/gateway/telegram-session-handle';

const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as PinoLogger;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TelegramGateway over the emulator', () => {
  let emulator: TelegramEmulator;
  let gateway: TelegramGateway;
  let signedIn: string;
  const phone = '9996611234';

  // One process here: the replica-wide leases (PostgreSQL, test/replicas.e2e-spec.ts) are always granted.
  const unsharedLeases = {
    listen: () => undefined,
    isValid: () => true,
    acquire: (key: string) => Promise.resolve({ key, token: '1' }),
    release: () => Promise.resolve(),
  } as unknown as SessionLeases;

  function makeGateway(callTimeoutMs = 500, clientIdleMs = 80): TelegramGateway {
    const config = {
      appName: 'Integration Service',
      version: 'test',
      telegram: { emulator: true, callTimeoutMs, clientIdleMs, loginTtlSeconds: 600 },
    } as AppConfig;
    const credentials = { get: async () => EMULATOR_API_CREDENTIALS } as unknown as GatewayCredentials;
    const factory = createEmulatedClient(emulator) as TelegramClientFactory;
    return new TelegramGateway(
      config,
      { mode: 'emulator', factory },
      credentials,
      new HealthRegistry(),
      unsharedLeases,
      new MetricsService(),
      quietLogger,
    );
  }

  beforeEach(async () => {
    emulator = new TelegramEmulator();
    const pool = new ClientPool(emulator);
    const t = await pool.connected();
    await signInWithCode(t.client, phone);
    signedIn = t.save();
    await pool.destroyAll();
    gateway = makeGateway();
  });
  afterEach(() => gateway.onApplicationShutdown());

  it('runs one client per session at a time: concurrent runs are serialised, never AUTH_KEY_DUPLICATED', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const work = () =>
      gateway
        .run({ key: 'row-1', session: signedIn }, { keepAlive: true }, async (tg) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          const me = await tg.getMe();
          await sleep(5);
          expect(emulator.liveConnectionCount(phone)).toBe(1);
          inFlight--;
          return me.phone;
        })
        .then((result) => result.value);
    await expect(Promise.all([work(), work(), work()])).resolves.toEqual([phone, phone, phone]);
    expect(maxInFlight).toBe(1);
    expect(emulator.liveConnectionCount(phone)).toBe(1);
  });

  it('reuses the parked client, then destroys it after the idle time', async () => {
    const ref = { key: 'row-1', session: signedIn };
    await gateway.run(ref, { keepAlive: true }, (tg) => tg.getMe());
    const initConnections = emulator.requestCount('InvokeWithLayer');
    expect(initConnections).toBeGreaterThan(0);
    await gateway.run(ref, { keepAlive: true }, (tg) => tg.getMe());
    expect(emulator.requestCount('InvokeWithLayer')).toBe(initConnections); // no new connection
    expect(gateway.liveClients).toBe(1);
    await sleep(200);
    expect(gateway.liveClients).toBe(0);
    expect(emulator.liveConnectionCount()).toBe(0);
  });

  it('destroys the client at once without keepAlive, and a stale parked client when the session changed', async () => {
    await gateway.run({ key: 'row-1', session: signedIn }, { keepAlive: false }, (tg) => tg.getMe());
    expect(gateway.liveClients).toBe(0);
    expect(emulator.liveConnectionCount()).toBe(0);

    await gateway.run({ key: 'row-2', session: signedIn }, { keepAlive: true }, (tg) => tg.getMe());
    const fresh = await gateway.run({ key: 'row-2', session: '' }, { keepAlive: false }, (tg) =>
      tg.sendCode('+9996611235'),
    );
    expect(fresh.session).not.toBe(signedIn);
    expect(fresh.session).toMatch(/^1/);
    expect(fresh.dcId).toBe(1);
    expect(emulator.liveConnectionCount(phone)).toBe(0);
  });

  it('bounds every call: a silent Telegram → 503 after the timeout, the client is dropped', async () => {
    gateway = makeGateway(150);
    const ref = { key: 'row-1', session: signedIn };
    await gateway.run(ref, { keepAlive: true }, (tg) => tg.getMe());
    emulator.unresponsive = true;
    const started = Date.now();
    const failure = await gateway.run(ref, { keepAlive: true }, (tg) => tg.getMe()).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(failure).toBeInstanceOf(TelegramUnavailableError);
    expect(failure).toMatchObject({ reason: 'timeout', kind: 'unavailable' });
    expect(gateway.liveClients).toBe(0);

    // A new connection that never completes is bounded too.
    const connectFailure = await gateway
      .run({ key: 'row-3', session: '' }, { keepAlive: false }, (tg) => tg.sendCode('+9996611236'))
      .catch((e: unknown) => e);
    expect(connectFailure).toMatchObject({ reason: 'timeout' });

    emulator.unresponsive = false;
    await expect(gateway.run(ref, { keepAlive: true }, (tg) => tg.getMe())).resolves.toMatchObject({
      value: { phone },
      session: signedIn,
    });
  });

  it('a second request on a busy session waits at most the call timeout, then 409 telegram_session_busy', async () => {
    gateway = makeGateway(100);
    const ref = { key: 'row-1', session: signedIn };
    let finish: () => void = () => undefined;
    const holding = gateway.run(
      ref,
      { keepAlive: false },
      () => new Promise<void>((resolve) => (finish = resolve)),
    );
    await sleep(20);
    await expect(gateway.run(ref, { keepAlive: false }, (tg) => tg.getMe())).rejects.toBeInstanceOf(
      TelegramSessionBusyError,
    );
    finish();
    await holding;
  });

  it('maps a revoked session and does not keep its client', async () => {
    emulator.revoke(phone);
    const failure = await gateway
      .run({ key: 'row-1', session: signedIn }, { keepAlive: true }, (tg) => tg.getMe())
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TelegramSessionRevokedError);
    expect(failure).toMatchObject({ reason: 'AUTH_KEY_UNREGISTERED' });
    expect(gateway.liveClients).toBe(0);
  });

  it('destroys every client on shutdown and refuses new work afterwards', async () => {
    await gateway.run({ key: 'row-1', session: signedIn }, { keepAlive: true }, (tg) => tg.getMe());
    expect(emulator.liveConnectionCount()).toBe(1);
    await gateway.onApplicationShutdown();
    expect(emulator.liveConnectionCount()).toBe(0);
    await expect(
      gateway.run({ key: 'row-1', session: signedIn }, { keepAlive: true }, (tg) => tg.getMe()),
    ).rejects.toMatchObject({ reason: 'shutdown' });
  });

  it('bounds AUTH_RESTART at sendCode: 3 attempts, then 503 auth_restart (GramJS itself does not retry it)', async () => {
    await gateway.onApplicationShutdown();
    emulator = new TelegramEmulator({ authRestartTimes: 10 });
    gateway = makeGateway(2000);
    const attempt = gateway.run({ key: 'new-1', session: '' }, { keepAlive: false }, (tg) =>
      tg.sendCode('+9996616200'),
    );
    await expect(attempt).rejects.toBeInstanceOf(TelegramAuthRestartError);
    await expect(attempt).rejects.toMatchObject({ code: 'dependency_unavailable', reason: 'auth_restart' });
    expect(emulator.requestCount('auth.SendCode')).toBe(AUTH_RESTART_ATTEMPTS);
    expect(emulator.codesSent()).toBe(0);
  });
});
