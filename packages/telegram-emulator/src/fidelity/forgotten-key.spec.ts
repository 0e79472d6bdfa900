import { setTimeout as sleep } from 'node:timers/promises';
import { UpdateConnectionState } from 'telegram/network';
import { TelegramEmulator } from '../emulator';
import { ClientPool, signInWithCode, type TestClient } from '../testing';

/**
 * mtproto/mtproto-transports.html: for an auth key the server does not know it answers the transport
 * error −404 ("auth key not found") instead of a message. GramJS 2.26.22's MTProtoSender handles that
 * in _recvLoop → _handleBadAuthKey(): the main sender reports UpdateConnectionState(broken) through the
 * update callback and stops reading, so the request in flight is never answered and nothing reconnects.
 */
describe('emulator rule fidelity #4: a forgotten auth key answers −404', () => {
  let emulator: TelegramEmulator;
  let pool: ClientPool;

  beforeEach(() => {
    emulator = new TelegramEmulator();
    pool = new ClientPool(emulator);
  });
  afterEach(() => pool.destroyAll());

  /** Connection states the client's update handler saw (every update passes session.processEntities). */
  function statesOf(t: TestClient): number[] {
    const states: number[] = [];
    const original = t.session.processEntities.bind(t.session);
    t.session.processEntities = (tlo: unknown) => {
      if (tlo instanceof UpdateConnectionState) states.push(tlo.state);
      original(tlo);
    };
    return states;
  }

  const settledWithin = async (promise: Promise<unknown>, ms: number): Promise<boolean> => {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await sleep(ms);
    return settled;
  };

  it('forget-key: the next request of a signed-in client is never answered and the sender reports the key broken', async () => {
    const t = await pool.connected();
    await signInWithCode(t.client, '+9996611441');
    const states = statesOf(t);
    expect(emulator.forgetKeys('+9996611441')).toBe(1);
    emulator.resetRequestCounts();
    expect(emulator.sessionInfo(t.save())).toMatchObject({ known: false });

    const pending = t.client.getMe();
    expect(await settledWithin(pending, 200)).toBe(false);
    expect(states).toContain(UpdateConnectionState.broken);
    // Nothing reconnects by itself, and later requests are not answered either.
    expect(await settledWithin(t.client.getMe(), 100)).toBe(false);
    // The DC reads nothing encrypted with a key it does not have.
    expect(emulator.requestCount('users.GetUsers')).toBe(0);
  });

  it('a saved session with a key the DC never made: connect() hangs in initConnection, the key reported broken', async () => {
    const other = new TelegramEmulator();
    const foreign = await new ClientPool(other).connected();
    const saved = foreign.save();
    await foreign.client.destroy();

    const t = pool.create(saved);
    const states = statesOf(t);
    expect(await settledWithin(t.client.connect(), 200)).toBe(false);
    expect(states).toEqual(expect.arrayContaining([UpdateConnectionState.broken]));
    expect(emulator.requestCount('InvokeWithLayer')).toBe(0);
  });

  it('only the named keys are forgotten; a fresh key logs in again', async () => {
    const a = await pool.connected();
    await signInWithCode(a.client, '+9996611442');
    const b = await pool.connected();
    await signInWithCode(b.client, '+9996611442');
    expect(emulator.forgetKeys('+9996611442', [a.save()])).toBe(1);
    expect(emulator.sessionInfo(b.save())).toMatchObject({ known: true, phone: '9996611442' });
    expect(await b.client.getMe()).toMatchObject({ phone: '9996611442' });

    const fresh = await pool.connected();
    await signInWithCode(fresh.client, '+9996611442');
    expect(await fresh.client.getMe()).toMatchObject({ phone: '9996611442' });
  });
});
