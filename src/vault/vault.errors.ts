import { AppError } from '../common/errors/app-error';

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
  | 'rejected'
  /** The TLS handshake failed: the server could not be verified, or it refused this service's certificate. */
  | 'tls';

export class VaultUnavailableError extends AppError {
  override readonly name = 'VaultUnavailableError';
  readonly kind = 'unavailable';
  readonly code = 'dependency_unavailable';

  constructor(
    readonly reason: VaultUnavailableReason,
    readonly statusCode?: number,
    operation?: string,
    /** A safe explanation (e.g. why TLS failed), for logs and health, never for API clients. */
    readonly detail?: string,
  ) {
    super(
      `Vault is unavailable (${reason}${statusCode !== undefined ? `, HTTP ${statusCode}` : ''})` +
        (operation ? ` during ${operation}` : '') +
        (detail ? `: ${detail}` : ''),
    );
    this.clientMessage = `The secret store (Vault) is unavailable: ${reason}`;
    this.details.dependency = 'vault';
    this.retryAfterSeconds = 5;
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

/** Answered 409 `secret_unreadable`: the row exists, but its secret is not this user's to read. */
export class SecretDecryptionError extends AppError {
  override readonly name = 'SecretDecryptionError';
  readonly kind = 'conflict';
  readonly code = 'secret_unreadable';

  constructor(readonly reason: SecretDecryptionReason) {
    super(`The secret could not be decrypted (${reason})`);
    this.clientMessage = 'A stored secret could not be decrypted for this user';
  }
}

/** The cipher cannot work with its configuration (missing key, key without derivation, bad key ring...). */
export class CipherNotConfiguredError extends AppError {
  override readonly name = 'CipherNotConfiguredError';
  readonly kind = 'unavailable';
  readonly code = 'secrets_not_configured';

  constructor(message: string) {
    super(message);
    this.clientMessage = 'The secret store is misconfigured; an operator must fix it';
    this.details.dependency = 'vault';
  }
}

/** A KV secret the service needs does not exist. */
export class VaultSecretNotFoundError extends AppError {
  override readonly name = 'VaultSecretNotFoundError';
  readonly kind = 'unavailable';
  readonly code = 'secret_not_found';

  constructor(readonly path: string) {
    super(`No secret at Vault path ${path}`);
    this.clientMessage = 'A secret the service needs is missing from the secret store';
    this.details.dependency = 'vault';
  }
}
