import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  convertFromGramjsSession,
  convertToPyrogramSession,
  convertToTdata,
  convertToTelethonSession,
  parseTelethonSession,
  serializeTelethonSession,
} from '@mtcute/convert';
import { zipSync } from 'fflate';
import { API_HASH, API_ID } from '@integration-service/telegram-emulator/testing';
import { TelegramGateway } from '../src/telegram/gateway/telegram-gateway';
import { bearer, type TestApp } from './support/app';
import { history, isEnded, send, syncChats, waitFor } from './support/messages';
import { createTelegramWorld, loginByCode, storedSession, type TelegramWorld } from './support/telegram';

const IMPORT = '/api/v1/telegram/accounts/import';
const PYTHON = '/usr/bin/python3';
const OWNER = 7401;
const IMPORTER = 7402;
const hasTelethon = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import telethon'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A zip of a folder's files, as a user zips a tdata folder (paths inside start with `tdata/`). */
function zipFolder(dir: string): Buffer {
  const files: Record<string, Uint8Array> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[`tdata/${relative(dir, path)}`] = new Uint8Array(readFileSync(path));
    }
  };
  walk(dir);
  return Buffer.from(zipSync(files));
}

describe('session import: Telethon, GramJS, Pyrogram and tdata sessions become working accounts', () => {
  let world: TelegramWorld;
  let t: TestApp;
  const bodies: string[] = [];
  const secrets: string[] = [];

  const importAs = async (userId: number, payload: Record<string, unknown>) => {
    const res = await t.inject({ method: 'POST', url: IMPORT, headers: bearer(t.token(userId)), payload });
    bodies.push(res.body);
    return res;
  };
  const rowCount = async () =>
    Number((await world.db.query<{ n: string }>('SELECT count(*) AS n FROM telegram_sessions'))[0].n);

  /** An account the emulator knows, logged in through the service (GramJS), and its session and Telegram id. */
  const issued = async (phone: string) => {
    const id = await loginByCode(t, OWNER, phone);
    // The owner's tool stops using the session before it is moved (one key on two live connections at
    // once is AUTH_KEY_DUPLICATED, as on Telegram): here, the service's parked client is closed.
    await t.app.get(TelegramGateway).release(id);
    const secret = await storedSession(t, world.db, id);
    const [row] = await world.db.query<{ telegram_user_id: string }>(
      'SELECT telegram_user_id FROM telegram_sessions WHERE id = $1',
      [id],
    );
    return { id, session: secret?.session ?? '', telegramUserId: Number(row.telegram_user_id) };
  };

  /** The imported account sends a message to one of its chats, and it arrives once. */
  const sendsAMessage = async (userId: number, sessionId: string) => {
    const chats = await syncChats(t, userId, sessionId);
    const [chat] = [...chats.values()];
    const res = await send(t, userId, {
      session_id: sessionId,
      channel_id: chat.id,
      text: 'from an imported session',
    });
    expect(res.statusCode).toBe(202);
    const { last } = await waitFor(t, userId, res.json().message_id, isEnded);
    expect(last).toMatchObject({ status: 'sent', error: null });
    const got = await history(t, userId, chat.channel_id);
    expect(got.filter((m) => m.random_id === last.random_id)).toHaveLength(1);
  };

  /** Telethon logs in to the emulator over TCP, as its users do, and saves its StringSession. */
  const telethonSession = async (phone: string): Promise<string> => {
    const server = world.server;
    if (!server) throw new Error('this test needs the emulator over TCP');
    const [dc1] = server.endpoints;
    const { n, e } = server.network.rsa;
    const script = join(__dirname, 'support', 'telethon_session.py');
    // Asynchronously: the emulator server answering Telethon runs in this process.
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [script, dc1.host, String(dc1.port), n, String(e), String(API_ID), API_HASH, phone],
      { encoding: 'utf8', timeout: 60_000 },
    );
    return stdout.trim();
  };

  beforeAll(async () => {
    world = await createTelegramWorld();
    t = await world.start({ SEND_PER_CHAT_INTERVAL_MS: '100', SEND_POLL_INTERVAL_MS: '500' });
  });
  afterAll(() => world.cleanup());

  (hasTelethon ? it : it.skip)('a Telethon StringSession made by Telethon itself over TCP', async () => {
    const phone = '9996610741';
    const session = await telethonSession(phone);
    secrets.push(session);
    const res = await importAs(IMPORTER, { format: 'telethon', session });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ format: 'telethon', api_id: null, api_id_matches: null });
    expect(body.account).toMatchObject({ phone: `+${phone}`, is_active: true, user_id: IMPORTER });
    expect(body.account.session_metadata).toMatchObject({ status: 'connected', method: 'import' });
    await sendsAMessage(IMPORTER, body.account.id);
    // The same Telegram account again (another Telethon login) for the same user: 409, nothing more stored.
    const before = await rowCount();
    const second = await telethonSession(phone);
    secrets.push(second);
    const again = await importAs(IMPORTER, { format: 'telethon', session: second });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('account_already_connected');
    expect(await rowCount()).toBe(before);
  });

  it('a GramJS StringSession made by GramJS (the service’s own login)', async () => {
    const { session } = await issued('+9996620742');
    secrets.push(session);
    const res = await importAs(IMPORTER + 1, { format: 'gramjs', session });
    expect(res.statusCode).toBe(201);
    expect(res.json().account).toMatchObject({ phone: '+9996620742', user_id: IMPORTER + 1 });
    await sendsAMessage(IMPORTER + 1, res.json().account.id);
  });

  it('a Pyrogram session (built by @mtcute/convert in Pyrogram’s format): api_id said', async () => {
    const { session, telegramUserId } = await issued('+9996610743');
    const data = {
      ...convertFromGramjsSession(session),
      self: { userId: telegramUserId, isBot: false, isPremium: false, usernames: [] },
    };
    const pyrogram = convertToPyrogramSession(data, { apiId: 999 });
    secrets.push(pyrogram);
    const res = await importAs(IMPORTER + 2, { format: 'pyrogram', session: pyrogram });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ format: 'pyrogram', api_id: 999, api_id_matches: false });
    await sendsAMessage(IMPORTER + 2, res.json().account.id);
  });

  it('a Telegram Desktop tdata folder (written by @mtcute/convert), uploaded as a zip', async () => {
    const { session, telegramUserId } = await issued('+9996630744');
    const data = {
      ...convertFromGramjsSession(session),
      self: { userId: telegramUserId, isBot: false, isPremium: false, usernames: [] },
    };
    const dir = mkdtempSync(join(tmpdir(), 'tdata-test-'));
    try {
      await convertToTdata(data, { path: dir });
      const zip = zipFolder(dir);
      const boundary = '----import7744';
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\ntdata\r\n`),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="session"; filename="tdata.zip"\r\nContent-Type: application/zip\r\n\r\n`,
        ),
        zip,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await t.inject({
        method: 'POST',
        url: IMPORT,
        headers: {
          ...bearer(t.token(IMPORTER + 3)),
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload,
      });
      bodies.push(res.body);
      expect(res.statusCode).toBe(201);
      expect(res.json().account).toMatchObject({ phone: '+9996630744', user_id: IMPORTER + 3 });
      await sendsAMessage(IMPORTER + 3, res.json().account.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a truncated, foreign-DC, test-DC or revoked session is a 4xx with nothing stored', async () => {
    const { id, session } = await issued('+9996610745');
    const before = await rowCount();
    const truncated = await importAs(IMPORTER, { format: 'gramjs', session: session.slice(0, 40) });
    expect(truncated.statusCode).toBe(400);
    expect(truncated.json().code).toBe('session_invalid');

    const telethon = parseTelethonSession(convertToTelethonSession(convertFromGramjsSession(session)));
    const foreign = serializeTelethonSession({ ...telethon, dcId: 9 });
    const wrongDc = await importAs(IMPORTER, { format: 'telethon', session: foreign });
    expect(wrongDc.statusCode).toBe(400);
    expect(wrongDc.json().message).toContain('DC 9');

    // The key is real but belongs to another DC than the session says: Telegram does not know it there.
    const otherDc = serializeTelethonSession({ ...telethon, dcId: telethon.dcId === 1 ? 3 : 1 });
    const moved = await importAs(IMPORTER, { format: 'telethon', session: otherDc });
    expect(moved.statusCode).toBe(422);
    expect(moved.json().code).toBe('session_not_authorized');

    const test = serializeTelethonSession({ ...telethon, ipAddress: '149.154.167.40' });
    const testDc = await importAs(IMPORTER, { format: 'telethon', session: test });
    expect(testDc.statusCode).toBe(400);

    // Logged out on Telegram's side (the owner disconnects: auth.logOut): the key is dead.
    const out = await t.inject({
      method: 'DELETE',
      url: `/api/v1/telegram/accounts/${id}`,
      headers: bearer(t.token(OWNER)),
    });
    expect(out.statusCode).toBe(200);
    const revoked = await importAs(IMPORTER, { format: 'gramjs', session });
    expect(revoked.statusCode).toBe(422);
    expect(revoked.json().code).toBe('session_not_authorized');

    expect((await importAs(IMPORTER, { format: 'kurigram', session })).statusCode).toBe(400);
    expect((await importAs(IMPORTER, { format: 'tdata', session: 'bm90IGEgemlw' })).statusCode).toBe(400);
    expect(await rowCount()).toBe(before);
  });

  it('an imported session is never echoed, logged or stored in plaintext', async () => {
    const everything = [
      bodies.join('\n'),
      t.rawLogs(),
      JSON.stringify(
        await world.db.query("SELECT (to_jsonb(s) - 'session_data')::text AS r FROM telegram_sessions s"),
      ),
      JSON.stringify(await world.db.query('SELECT session_data::text AS d FROM telegram_sessions')),
      JSON.stringify(await world.db.query('SELECT details::text AS d, error_message FROM integration_logs')),
      JSON.stringify(await world.db.query('SELECT data::text AS d FROM integration_events')),
    ].join('\n');
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) expect(everything).not.toContain(secret.slice(10, 60));
  });
});
