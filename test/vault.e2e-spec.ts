import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretCipher, SecretEnvelope } from '../src/vault/cipher';
import { LocalAesGcmCipher } from '../src/vault/local-cipher';
import { runRewrapCommand } from '../src/cli/secrets-rewrap.command';
import { RewrapInterruptedError, SecretRewrapper, type SqlClient } from '../src/vault/secret-rewrapper';
import { TelegramCredentialsProvider } from '../src/telegram/credentials/telegram-credentials.provider';
import { SecretDecryptionError } from '../src/vault/vault.errors';
import { SECRET_CIPHER } from '../src/vault/vault.tokens';
import { FakeVault } from './fakes/vault';
import { startTestApp, type TestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';

const KEY = 'telegram-sessions';

/** What a GramJS StringSession looks like: full access to someone's Telegram account. */
function sessionString(): string {
  return `1BVtsOK${randomBytes(48).toString('base64')}`;
}

function botToken(): string {
  return `${100000 + Math.floor(Math.random() * 900000)}:AA${randomBytes(16).toString('hex')}`;
}

interface StoredRow {
  table: 'telegram_sessions' | 'telegram_bots';
  id: string;
  userId: number;
  secret: string;
}

/**
 * Secrets at rest, against real PostgreSQL and the fake Vault through the real node-vault: the app's
 * SECRET_CIPHER, what lands in the tables, rotation + rewrap, and the local → Vault migration.
 */
describe('Vault: secrets at rest', () => {
  let db: TestDatabase;
  let vault: FakeVault;
  let t: TestApp;
  let cipher: SecretCipher;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    vault = await FakeVault.start();
    t = await startTestApp(db.url, {
      VAULT_URL: vault.url,
      VAULT_TOKEN: vault.rootToken,
      VAULT_TIMEOUT_MS: '2000',
      RATE_LIMIT_ENABLED: 'false',
    });
    cipher = t.app.get<symbol, SecretCipher>(SECRET_CIPHER);
  });

  afterAll(async () => {
    await t.close();
    await vault.stop();
    await db.drop();
  });

  beforeEach(async () => {
    await db.query('TRUNCATE telegram_sessions, telegram_bots');
    dir = await mkdtemp(join(tmpdir(), 'vault-e2e-'));
    vault.unseal();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function storeSession(
    with_: SecretCipher,
    userId: number,
    secret = sessionString(),
  ): Promise<StoredRow> {
    const envelope = await with_.encrypt(secret, userId);
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO telegram_sessions (user_id, phone, session_data) VALUES ($1, $2, $3::jsonb) RETURNING id::text AS id`,
      [userId, `+1555${String(userId).padStart(7, '0')}`, JSON.stringify(envelope)],
    );
    return { table: 'telegram_sessions', id: row.id, userId, secret };
  }

  async function storeBot(with_: SecretCipher, userId: number, secret = botToken()): Promise<StoredRow> {
    const envelope = await with_.encrypt(secret, userId);
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO telegram_bots (user_id, bot_token, username) VALUES ($1, $2::jsonb, $3) RETURNING id::text AS id`,
      [userId, JSON.stringify(envelope), `bot_${userId}_${randomBytes(3).toString('hex')}`],
    );
    return { table: 'telegram_bots', id: row.id, userId, secret };
  }

  async function storeWiped(userId: number): Promise<void> {
    await db.query(
      `INSERT INTO telegram_sessions (user_id, session_data, is_active) VALUES ($1, '{}', false)`,
      [userId],
    );
  }

  async function envelopeOf(row: StoredRow): Promise<SecretEnvelope> {
    const column = row.table === 'telegram_sessions' ? 'session_data' : 'bot_token';
    const [found] = await db.query<{ secret: SecretEnvelope }>(
      `SELECT ${column} AS secret FROM ${row.table} WHERE id = $1`,
      [row.id],
    );
    return found.secret;
  }

  async function expectAllDecrypt(rows: StoredRow[], with_ = cipher): Promise<void> {
    for (const row of rows) expect(await with_.decrypt(await envelopeOf(row), row.userId)).toBe(row.secret);
  }

  async function seed(with_: SecretCipher, sessions: number, bots: number): Promise<StoredRow[]> {
    const rows: StoredRow[] = [];
    for (let i = 0; i < sessions; i++) rows.push(await storeSession(with_, 1000 + (i % 3)));
    for (let i = 0; i < bots; i++) rows.push(await storeBot(with_, 2000 + (i % 2)));
    return rows;
  }

  function latestVersion(): number {
    return vault.transit.get(KEY)!.latestVersion;
  }

  describe('the app cipher', () => {
    it('round-trips an envelope through SECRET_CIPHER (Vault transit, one round trip each way)', async () => {
      const secret = sessionString();
      vault.resetRequests();
      const envelope = await cipher.encrypt(secret, 42);
      expect(envelope).toEqual({
        v: 1,
        cipher: 'vault-transit',
        key: KEY,
        key_version: latestVersion(),
        ciphertext: expect.stringMatching(/^vault:v\d+:/),
      });
      expect(await cipher.decrypt(envelope, 42)).toBe(secret);
      expect(vault.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
        `POST transit/encrypt/${KEY}`,
        `POST transit/decrypt/${KEY}`,
      ]);
    });

    it("another user's id cannot decrypt it", async () => {
      const envelope = await cipher.encrypt(sessionString(), 42);
      const error = await cipher.decrypt(envelope, 43).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretDecryptionError);
      expect(error).toMatchObject({ reason: 'authentication_failed' });
    });

    it('the rows in PostgreSQL hold envelopes, never the plaintext (nor its base64)', async () => {
      const session = await storeSession(cipher, 7);
      const bot = await storeBot(cipher, 7);
      const dump = (
        await db.query<{ row: string }>(
          `SELECT row_to_json(s)::text AS row FROM telegram_sessions s
           UNION ALL SELECT row_to_json(b)::text FROM telegram_bots b`,
        )
      )
        .map((r) => r.row)
        .join('\n');
      for (const secret of [session.secret, bot.secret]) {
        expect(dump).not.toContain(secret);
        expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
        expect(dump).not.toContain(secret.slice(8, 40));
      }
      for (const row of [session, bot]) {
        expect(Object.keys(await envelopeOf(row)).sort()).toEqual([
          'cipher',
          'ciphertext',
          'key',
          'key_version',
          'v',
        ]);
      }
      await expectAllDecrypt([session, bot]);
    });

    it('the Telegram credentials provider is injectable and reads Vault KV', async () => {
      vault.putKv('integrations/telegram', { api_id: 611335, api_hash: 'd524b414d21f4d37f08684c1df41ac9c' });
      expect(await t.app.get(TelegramCredentialsProvider).get()).toEqual({
        apiId: 611335,
        apiHash: 'd524b414d21f4d37f08684c1df41ac9c',
        source: 'vault',
      });
    });
  });

  describe('rotation and rewrap', () => {
    it('--rotate: every row moves to the new version in batched transit/rewrap calls, and still decrypts', async () => {
      const rows = await seed(cipher, 9, 5);
      await storeWiped(1000);
      await storeWiped(1001);
      const before = latestVersion();
      vault.resetRequests();

      const summary = await new SecretRewrapper(db, { target: cipher, rotate: true, batchSize: 4 }).run();

      expect(summary.rotatedFrom).toBe(before);
      expect(summary.target).toEqual({ cipher: 'vault-transit', key: KEY, version: before + 1 });
      expect(summary.totals).toEqual({
        scanned: 21, // 11 sessions, 5 bot tokens, 5 bot sessions (never logged in here: empty)
        rewrapped: 14,
        migrated: 0,
        skipped: 0,
        failed: 0,
        conflicts: 0,
        empty: 7,
      });
      expect(summary.tables.telegram_sessions).toMatchObject({ scanned: 11, rewrapped: 9, empty: 2 });
      expect(summary.tables['telegram_bots.bot_token']).toMatchObject({ scanned: 5, rewrapped: 5 });
      expect(summary.tables['telegram_bots.bot_session']).toMatchObject({ scanned: 5, empty: 5 });
      for (const row of rows) {
        const envelope = await envelopeOf(row);
        expect(envelope.key_version).toBe(before + 1);
        expect(envelope.ciphertext.startsWith(`vault:v${before + 1}:`)).toBe(true);
      }
      // Pages of 4: sessions 4+4+3, bots 4+1 → five rewrap batches; the plaintext never left Vault.
      expect(vault.requestCount(`transit/rewrap/${KEY}`)).toBe(5);
      expect(vault.requestCount(`transit/decrypt/${KEY}`)).toBe(0);
      expect(vault.requestCount(`transit/encrypt/${KEY}`)).toBe(0);
      await expectAllDecrypt(rows);
      // Wiped rows stay wiped.
      expect(await db.query(`SELECT 1 FROM telegram_sessions WHERE session_data = '{}'`)).toHaveLength(2);
    });

    it('is idempotent: a second run skips every row without a rewrap call', async () => {
      await seed(cipher, 3, 2);
      await cipher.rotateKey();
      expect((await new SecretRewrapper(db, { target: cipher }).run()).totals.rewrapped).toBe(5);
      vault.resetRequests();
      const again = await new SecretRewrapper(db, { target: cipher }).run();
      // scanned: 3 sessions, 2 bot tokens, 2 empty bot sessions
      expect(again.totals).toMatchObject({ scanned: 7, rewrapped: 0, skipped: 5, failed: 0 });
      expect(vault.requestCount(`transit/rewrap/${KEY}`)).toBe(0);
    });

    it('is resumable: Vault sealed mid-run stops it; the next run finishes the rest and skips what was done', async () => {
      const rows = await seed(cipher, 10, 0);
      await cipher.rotateKey();
      const target = latestVersion();
      const first = new SecretRewrapper(db, {
        target: cipher,
        batchSize: 3,
        onProgress: ({ batch }) => {
          if (batch === 2) vault.seal();
        },
      });
      const error = await first.run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RewrapInterruptedError);
      const interrupted = error as RewrapInterruptedError;
      expect(interrupted.message).toContain('sealed');
      expect(interrupted.summary.totals).toMatchObject({ rewrapped: 6, failed: 0 });
      const versions: number[] = [];
      for (const row of rows) versions.push((await envelopeOf(row)).key_version);
      expect(versions.filter((v) => v === target)).toHaveLength(6);

      vault.unseal();
      const second = await new SecretRewrapper(db, { target: cipher, batchSize: 3 }).run();
      expect(second.totals).toMatchObject({ scanned: 10, rewrapped: 4, skipped: 6, failed: 0 });
      await expectAllDecrypt(rows);
    });

    it('compare-and-set: a row a concurrent writer changed meanwhile keeps the writer’s value', async () => {
      const rows = await seed(cipher, 4, 0);
      await cipher.rotateKey();
      const victim = rows[2];
      const fresh = { ...victim, secret: sessionString() };
      const freshEnvelope = await cipher.encrypt(fresh.secret, victim.userId);
      let raced = false;
      const racing: SqlClient = {
        query: async (sql, params) => {
          if (!raced && sql.trimStart().startsWith('UPDATE')) {
            raced = true; // the writer lands between the rewrapper's read and its write
            await db.query(`UPDATE telegram_sessions SET session_data = $1::jsonb WHERE id = $2`, [
              JSON.stringify(freshEnvelope),
              victim.id,
            ]);
          }
          return db.query(sql, params);
        },
      };
      const summary = await new SecretRewrapper(racing, { target: cipher }).run();
      expect(summary.totals).toMatchObject({ rewrapped: 3, conflicts: 1, failed: 0 });
      expect(await envelopeOf(victim)).toEqual(freshEnvelope);
      await expectAllDecrypt([...rows.filter((r) => r !== victim), fresh]);
    });

    it('a row copied to another user fails (authentication_failed), is listed by id, and is left untouched', async () => {
      const rows = await seed(cipher, 3, 0);
      await cipher.rotateKey();
      const moved = rows[1];
      await db.query('UPDATE telegram_sessions SET user_id = 9999 WHERE id = $1', [moved.id]);
      const before = await envelopeOf(moved);
      const summary = await new SecretRewrapper(db, { target: cipher, batchSize: 2 }).run();
      expect(summary.totals).toMatchObject({ rewrapped: 2, failed: 1 });
      expect(summary.failures).toEqual([
        { table: 'telegram_sessions', id: moved.id, reason: 'authentication_failed' },
      ]);
      expect(await envelopeOf(moved)).toEqual(before);
    });
  });

  describe('local → Vault migration', () => {
    it('moves every local envelope under Vault (dry run first changes nothing); nothing stays local', async () => {
      const local = new LocalAesGcmCipher({ keyringPath: join(dir, 'keys', 'local-keyring.json') });
      const localRows = await seed(local, 6, 3);
      await storeWiped(1000);
      const vaultRows = await seed(cipher, 2, 0);
      const localCount = async (): Promise<number> => {
        const [row] = await db.query<{ n: string }>(
          `SELECT (SELECT count(*) FROM telegram_sessions WHERE session_data->>'cipher' = 'local-aes-256-gcm')
                + (SELECT count(*) FROM telegram_bots WHERE bot_token->>'cipher' = 'local-aes-256-gcm') AS n`,
        );
        return Number(row.n);
      };

      const plan = await new SecretRewrapper(db, { target: cipher, sources: [local], dryRun: true }).run();
      // empty: the wiped session and the 3 bots' sessions (seeded with a token only)
      expect(plan.totals).toMatchObject({ migrated: 9, skipped: 2, rewrapped: 0, failed: 0, empty: 4 });
      expect(await localCount()).toBe(9);

      // Without the local key ring, local rows cannot be moved: they fail and stay as they are.
      const blind = await new SecretRewrapper(db, { target: cipher, dryRun: true }).run();
      expect(blind.totals).toMatchObject({ migrated: 0, failed: 9 });
      expect(blind.failures[0].reason).toContain('No cipher configured to decrypt local-aes-256-gcm');

      const summary = await new SecretRewrapper(db, { target: cipher, sources: [local], batchSize: 4 }).run();
      expect(summary.totals).toMatchObject({ migrated: 9, skipped: 2, failed: 0, conflicts: 0, empty: 4 });
      expect(await localCount()).toBe(0);
      for (const row of localRows) expect((await envelopeOf(row)).cipher).toBe('vault-transit');
      await expectAllDecrypt([...localRows, ...vaultRows]);
      // The local key can no longer read them: they are Vault envelopes now.
      await expect(local.decrypt(await envelopeOf(localRows[0]), localRows[0].userId)).rejects.toMatchObject({
        reason: 'wrong_cipher',
      });

      const again = await new SecretRewrapper(db, { target: cipher, sources: [local] }).run();
      expect(again.totals).toMatchObject({ migrated: 0, skipped: 11 });
    });
  });

  describe('npm run secrets:rewrap (the command, in-process)', () => {
    async function command(args: string[], env: Record<string, string> = {}) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runRewrapCommand(args, {
        env: {
          DATABASE_URL: db.url,
          VAULT_URL: vault.url,
          VAULT_TOKEN: vault.rootToken,
          DATA_DIR: dir,
          ...env,
        },
        out: (line) => out.push(line),
        err: (line) => err.push(line),
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    }

    it('migrates local rows to Vault with --to vault --rotate, prints progress and counts, and is re-runnable', async () => {
      const local = new LocalAesGcmCipher({ keyringPath: join(dir, 'keys', 'local-keyring.json') });
      const localRows = await seed(local, 4, 1);
      const vaultRows = await seed(cipher, 2, 0);
      const before = latestVersion();

      const dry = await command(['--to', 'vault', '--dry-run']);
      expect(dry.err).toBe('');
      expect(dry.code).toBe(0);
      expect(dry.out).toContain(`Dry run: target vault-transit key "${KEY}" v${before}`);
      expect(dry.out).toContain(
        'Dry run done: would rewrap 0, would migrate 5, skipped 2, failed 0, empty 1 (scanned 8)',
      );

      const run = await command(['--to', 'vault', '--rotate', '--batch-size', '2']);
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      expect(run.out).toMatch(
        /telegram_sessions batch 1: scanned 2; rewrapped \d, migrated \d, .*last id [0-9a-f-]{36}/,
      );
      expect(run.out).toContain(`Rotated "${KEY}" from v${before} to v${before + 1}`);
      expect(run.out).toContain(
        'Done: rewrapped 2, migrated 5, skipped 0, failed 0, conflicts 0, empty 1 (scanned 8)',
      );
      for (const row of [...localRows, ...vaultRows]) {
        expect(await envelopeOf(row)).toMatchObject({ cipher: 'vault-transit', key_version: before + 1 });
      }
      await expectAllDecrypt([...localRows, ...vaultRows]);
      for (const row of localRows) expect(run.out).not.toContain(row.secret);

      const again = await command([]);
      expect(again.code).toBe(0);
      expect(again.out).toContain('Done: rewrapped 0, migrated 0, skipped 7, failed 0');
    });

    it('exit code 2 and the row id when a row does not decrypt', async () => {
      const rows = await seed(cipher, 2, 0);
      await cipher.rotateKey();
      await db.query('UPDATE telegram_sessions SET user_id = 9999 WHERE id = $1', [rows[0].id]);
      const result = await command([]);
      expect(result.code).toBe(2);
      expect(result.out).toContain(`failed: telegram_sessions id ${rows[0].id}: authentication_failed`);
    });

    it('exit code 1 with a clear message: bad options, --to vault without VAULT_URL, Vault unavailable', async () => {
      const bad = await command(['--batch-size', 'lots']);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain('--batch-size must be an integer from 1 to 10000');
      expect(bad.err).toContain('usage: npm run secrets:rewrap');

      const noVault = await command(['--to', 'vault'], { VAULT_URL: '', VAULT_TOKEN: '' });
      expect(noVault.code).toBe(1);
      expect(noVault.err).toContain('--to vault needs VAULT_URL');

      vault.seal();
      const sealed = await command([], { VAULT_TIMEOUT_MS: '300' });
      expect(sealed.code).toBe(1);
      expect(sealed.err).toContain('Vault is unavailable (sealed');
    });
  });
});
