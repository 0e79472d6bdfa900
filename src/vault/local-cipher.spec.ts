import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretEnvelope } from './cipher';
import { LocalAesGcmCipher } from './local-cipher';
import { CipherNotConfiguredError, SecretDecryptionError } from './vault.errors';

const SESSION = '1BVtsOHYBu3Xo-session-string-with-full-account-access==';

async function decryptError(promise: Promise<unknown>): Promise<SecretDecryptionError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SecretDecryptionError);
    return err as SecretDecryptionError;
  }
  throw new Error('expected SecretDecryptionError');
}

describe('LocalAesGcmCipher', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-cipher-'));
    path = join(dir, 'keys', 'local-keyring.json');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the key ring on first use with mode 0600 in a 0700 directory', async () => {
    const cipher = new LocalAesGcmCipher({ keyringPath: path });
    await cipher.encrypt('x', 1);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'keys'))).mode & 0o777).toBe(0o700);
    const file = JSON.parse(await readFile(path, 'utf8')) as { keys: { version: number; key: string }[] };
    expect(file.keys.map((k) => k.version)).toEqual([1]);
    expect(Buffer.from(file.keys[0].key, 'base64')).toHaveLength(32);
  });

  it('narrows an existing key ring file to 0600', async () => {
    await new LocalAesGcmCipher({ keyringPath: path }).init();
    await chmod(path, 0o644);
    await new LocalAesGcmCipher({ keyringPath: path }).init();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('round-trips and the envelope holds no plaintext', async () => {
    const cipher = new LocalAesGcmCipher({ keyringPath: path });
    const envelope = await cipher.encrypt(SESSION, 42);
    expect(envelope).toEqual({
      v: 1,
      cipher: 'local-aes-256-gcm',
      key: 'local',
      key_version: 1,
      ciphertext: expect.any(String) as string,
    });
    const raw = Buffer.from(envelope.ciphertext, 'base64');
    expect(raw.length).toBe(12 + Buffer.byteLength(SESSION) + 16);
    const json = JSON.stringify(envelope);
    expect(json).not.toContain(SESSION);
    expect(json).not.toContain(Buffer.from(SESSION).toString('base64'));
    expect(await cipher.decrypt(envelope, 42)).toBe(SESSION);
    const again = await cipher.encrypt(SESSION, 42);
    expect(again.ciphertext).not.toBe(envelope.ciphertext);
  });

  it('binds the user id: another user cannot decrypt', async () => {
    const cipher = new LocalAesGcmCipher({ keyringPath: path });
    const envelope = await cipher.encrypt(SESSION, 1);
    const err = await decryptError(cipher.decrypt(envelope, 2));
    expect(err.reason).toBe('authentication_failed');
    expect(err.message).not.toContain(envelope.ciphertext);
  });

  it('detects tampering with the ciphertext, the tag or the key version', async () => {
    const cipher = new LocalAesGcmCipher({ keyringPath: path });
    const envelope = await cipher.encrypt(SESSION, 1);
    const raw = Buffer.from(envelope.ciphertext, 'base64');
    for (const position of [0, 14, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[position] ^= 0x01;
      const err = await decryptError(
        cipher.decrypt({ ...envelope, ciphertext: tampered.toString('base64') }, 1),
      );
      expect(err.reason).toBe('authentication_failed');
    }
    await cipher.rotateKey();
    expect((await decryptError(cipher.decrypt({ ...envelope, key_version: 2 }, 1))).reason).toBe(
      'authentication_failed',
    );
    expect((await decryptError(cipher.decrypt({ ...envelope, key_version: 9 }, 1))).reason).toBe(
      'unknown_key_version',
    );
    expect((await decryptError(cipher.decrypt({ ...envelope, ciphertext: 'AAAA' }, 1))).reason).toBe(
      'malformed',
    );
    expect((await decryptError(cipher.decrypt({ ...envelope, cipher: 'vault-transit' }, 1))).reason).toBe(
      'wrong_cipher',
    );
    expect((await decryptError(cipher.decrypt({ ...envelope, key: 'other' }, 1))).reason).toBe(
      'key_not_found',
    );
  });

  it('rotates: new envelopes use the new version, old ones still decrypt, rewrap moves them', async () => {
    const cipher = new LocalAesGcmCipher({ keyringPath: path });
    const old = await cipher.encrypt('old', 7);
    expect(await cipher.rotateKey()).toBe(2);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await cipher.currentKeyVersion()).toBe(2);
    const fresh = await cipher.encrypt('new', 7);
    expect(fresh.key_version).toBe(2);
    expect(await cipher.decrypt(old, 7)).toBe('old');
    const [rewrapped] = await cipher.rewrapMany([{ envelope: old, userId: 7 }]);
    expect(rewrapped.ok).toBe(true);
    const envelope = (rewrapped as { value: SecretEnvelope }).value;
    expect(envelope.key_version).toBe(2);
    expect(await cipher.decrypt(envelope, 7)).toBe('old');
  });

  it('picks up a rotation made by another process', async () => {
    const first = new LocalAesGcmCipher({ keyringPath: path });
    const second = new LocalAesGcmCipher({ keyringPath: path });
    await first.init();
    await second.init();
    await second.rotateKey();
    const envelope = await second.encrypt('x', 1);
    expect(envelope.key_version).toBe(2);
    expect(await first.decrypt(envelope, 1)).toBe('x');
  });

  it('handles batches item by item', async () => {
    const cipher = new LocalAesGcmCipher({ keyringPath: path });
    const envelopes = await cipher.encryptMany([
      { plaintext: 'a', userId: 1 },
      { plaintext: 'b', userId: 2 },
    ]);
    const results = await cipher.decryptMany([
      { envelope: envelopes[0], userId: 1 },
      { envelope: envelopes[1], userId: 1 },
    ]);
    expect(results[0]).toEqual({ ok: true, value: 'a' });
    expect(results[1].ok).toBe(false);
    expect(!results[1].ok && results[1].error.reason).toBe('authentication_failed');
  });

  it('rejects an invalid key ring file without echoing its content', async () => {
    await new LocalAesGcmCipher({ keyringPath: path }).init();
    const content = await readFile(path, 'utf8');
    await writeFile(path, content.replace(/"key": "[^"]+"/, '"key": "c2hvcnQ="'));
    const cipher = new LocalAesGcmCipher({ keyringPath: path });
    await expect(cipher.encrypt('x', 1)).rejects.toThrow(CipherNotConfiguredError);
    await expect(cipher.encrypt('x', 1)).rejects.toThrow(/is invalid: bad key version 1$/);
    expect((await cipher.health()).status).toBe('down');
  });

  it('refuses a key ring made for another key name', async () => {
    await new LocalAesGcmCipher({ keyringPath: path, keyName: 'a' }).init();
    await expect(new LocalAesGcmCipher({ keyringPath: path, keyName: 'b' }).init()).rejects.toThrow(
      CipherNotConfiguredError,
    );
  });

  it('reports health', async () => {
    const health = await new LocalAesGcmCipher({ keyringPath: path }).health();
    expect(health).toMatchObject({ status: 'up', state: 'local' });
  });

  it('validates the user id', async () => {
    const cipher = new LocalAesGcmCipher({ keyringPath: path });
    await expect(cipher.encrypt('x', 1.5)).rejects.toThrow(TypeError);
  });
});
