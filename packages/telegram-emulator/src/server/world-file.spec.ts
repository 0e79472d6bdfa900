import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TelegramEmulator } from '../emulator';
import { TelegramEmulatorServer } from './emulator-server';
import { keepWorld, loadWorld } from './world-file';

describe('the emulator server world kept on disk', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'world-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const newServer = () => new TelegramEmulatorServer(new TelegramEmulator());

  it('a restarted server knows the auth keys (with their salts) the last one negotiated', () => {
    const path = join(dir, 'emulator', 'world.json');
    const first = newServer();
    const authKey = randomBytes(256);
    const stored = first.keys.register(2, authKey);
    first.world.adoptAuthKey(2, authKey);
    const kept = keepWorld(path, first, 60_000);
    kept.close();
    expect(statSync(path).mode & 0o777).toBe(0o600); // it holds auth keys

    const second = newServer();
    expect(loadWorld(path, second)).toBe(1);
    const found = second.keys.find(2, stored.authKeyId);
    expect(found?.authKey.equals(authKey)).toBe(true);
    expect(found?.salt.equals(stored.salt)).toBe(true);
    expect(second.world.exportWorld()).toEqual(first.world.exportWorld());
    expect(second.world.exportWorld().keys).toHaveLength(1);
  });

  it('no file: an empty world', () => {
    const server = newServer();
    expect(loadWorld(join(dir, 'missing.json'), server)).toBe(0);
    expect(server.keys.size).toBe(0);
  });
});
