import { assertSecretEnvelope, assertUserId, isSecretEnvelope } from './cipher';
import { SecretDecryptionError } from './vault.errors';

describe('envelope guards', () => {
  const valid = {
    v: 1,
    cipher: 'vault-transit',
    key: 'telegram-sessions',
    key_version: 1,
    ciphertext: 'vault:v1:AA==',
  };

  it('accepts envelopes of both ciphers', () => {
    expect(isSecretEnvelope(valid)).toBe(true);
    expect(
      isSecretEnvelope({ ...valid, cipher: 'local-aes-256-gcm', key: 'local', ciphertext: 'AA==' }),
    ).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'vault:v1:AA=='],
    ['another format version', { ...valid, v: 2 }],
    ['an unknown cipher', { ...valid, cipher: 'rot13' }],
    ['a missing key', { ...valid, key: '' }],
    ['a fractional version', { ...valid, key_version: 1.5 }],
    ['version 0', { ...valid, key_version: 0 }],
    ['no ciphertext', { ...valid, ciphertext: '' }],
    ['a plaintext field only', { session: 'plaintext' }],
  ])('rejects %s', (_label, value) => {
    expect(isSecretEnvelope(value)).toBe(false);
    expect(() => assertSecretEnvelope(value)).toThrow(SecretDecryptionError);
  });

  it('checks user ids', () => {
    expect(() => assertUserId(7)).not.toThrow();
    expect(() => assertUserId(Number.NaN)).toThrow(TypeError);
    expect(() => assertUserId(2 ** 60)).toThrow(TypeError);
  });
});
