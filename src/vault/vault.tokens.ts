/** Injection token of the one cipher every feature uses for secrets (a `SecretCipher`). */
export const SECRET_CIPHER = Symbol('SECRET_CIPHER');

/** Injection token of the KV v2 reader (a `VaultKvReader`), `null` when VAULT_URL is not set. */
export const VAULT_KV = Symbol('VAULT_KV');

/** Injection token of the shared Vault client (a `VaultClient`), `null` when VAULT_URL is not set. */
export const VAULT_CLIENT = Symbol('VAULT_CLIENT');
