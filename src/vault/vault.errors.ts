/**
 * Typed errors of the secret ciphers. Messages are fixed texts plus safe facts (a reason, an HTTP status, a
 * key name or a path): never plaintext, tokens, secret ids, JWTs or ciphertext, and never the raw client error
 * (node-vault/axios errors carry the request body, i.e. the plaintext, in `config.data`).
 */

/** Why Vault cannot be used right now. */
export type VaultUnavailableReason =
  /** Connection refused, reset, DNS or network failure. */
  | 'unreachable'
  /** No complete answer within the configured timeout. */
  | 'timeout'
  | 'sealed'
  | 'uninitialized'
  /** 403 even after a fresh login, or 403 with no login method configured. */
  | 'forbidden'
  /** The configured login (AppRole/Kubernetes) was rejected or its credentials could not be read. */
  | 'login_failed'
  | 'rate_limited'
  /** 5xx other than sealed. */
  | 'server_error'
  /** An answer that is not what the Vault API documents. */
  | 'bad_response'
  /** An unexpected 4xx for a request this service built. */
  | 'rejected';

export class VaultUnavailableError extends Error {
  override readonly name = 'VaultUnavailableError';

  constructor(
    readonly reason: VaultUnavailableReason,
    readonly statusCode?: number,
    operation?: string,
  ) {
    super(
      `Vault is unavailable (${reason}${statusCode !== undefined ? `, HTTP ${statusCode}` : ''})` +
        (operation ? ` during ${operation}` : ''),
    );
  }
}

export type SecretDecryptionReason =
  /** The AEAD tag did not verify: another user's id, a tampered or a foreign ciphertext. */
  | 'authentication_failed'
  /** Not a ciphertext this cipher produces, or not a valid envelope. */
  | 'malformed'
  /** The key version is below the key's min_decryption_version (Vault) or no longer in the key ring. */
  | 'version_disallowed'
  | 'unknown_key_version'
  | 'key_not_found'
  /** The envelope names another cipher. */
  | 'wrong_cipher';

export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';

  constructor(readonly reason: SecretDecryptionReason) {
    super(`The secret could not be decrypted (${reason})`);
  }
}

/** The cipher cannot work with its configuration (missing key, key without derivation, bad key ring...). */
export class CipherNotConfiguredError extends Error {
  override readonly name = 'CipherNotConfiguredError';
}

/** A KV secret the service needs does not exist. */
export class VaultSecretNotFoundError extends Error {
  override readonly name = 'VaultSecretNotFoundError';

  constructor(readonly path: string) {
    super(`No secret at Vault path ${path}`);
  }
}
