/**
 * What goes into and comes out of Vault's transit engine for the cipher: base64 plaintexts and derivation
 * contexts, envelope checks, batch results, and Vault's decrypt error texts mapped to typed reasons.
 */
import { isRecord } from '../common/util/is-record';
import type { SecretEnvelope } from './cipher';
import { type ApiFailure, field, numberField } from './vault-response';
import { SecretDecryptionError, type SecretDecryptionReason, VaultUnavailableError } from './vault.errors';

export const TRANSIT_CIPHER = 'vault-transit' as const;
/** Vault's text for an AEAD failure (another user's context, or a tampered ciphertext). */
export const AUTH_FAILED = 'cipher: message authentication failed';
const TOO_OLD = 'ciphertext or signature version is disallowed by policy (too old)';

export function classifyDecryptError(message: string): SecretDecryptionReason {
  if (message === AUTH_FAILED) return 'authentication_failed';
  if (message === TOO_OLD) return 'version_disallowed';
  if (message === 'invalid ciphertext: version is too new') return 'unknown_key_version';
  if (message === 'encryption key not found') return 'key_not_found';
  return 'malformed';
}

/** The error of a 400 answer to a decrypt or rewrap: its first error text, classified. */
export function decryptFailure(failure: ApiFailure): SecretDecryptionError {
  return new SecretDecryptionError(classifyDecryptError(failure.errors[0] ?? ''));
}

export function versionOf(ciphertext: string): number | undefined {
  const match = /^vault:v(\d+):/.exec(ciphertext);
  return match ? Number(match[1]) : undefined;
}

export function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The derivation context binding a ciphertext to its owner. */
export function contextFor(userId: number): string {
  return toBase64(String(userId));
}

/** Throws SecretDecryptionError unless `envelope` is a well-formed envelope of this cipher. */
export function checkEnvelope(envelope: SecretEnvelope): void {
  if (
    !isRecord(envelope) ||
    envelope.v !== 1 ||
    typeof envelope.key !== 'string' ||
    typeof envelope.ciphertext !== 'string'
  ) {
    throw new SecretDecryptionError('malformed');
  }
  if (envelope.cipher !== TRANSIT_CIPHER) throw new SecretDecryptionError('wrong_cipher');
  if (!/^\w(?:[\w\-.@]*\w)?$/.test(envelope.key) || versionOf(envelope.ciphertext) === undefined) {
    throw new SecretDecryptionError('malformed');
  }
}

export function envelopeFrom(ciphertext: unknown, keyVersion: unknown, key: string): SecretEnvelope {
  if (typeof ciphertext !== 'string') throw new VaultUnavailableError('bad_response', undefined, 'encrypt');
  const version = numberField(keyVersion) ?? versionOf(ciphertext);
  if (version === undefined) throw new VaultUnavailableError('bad_response', undefined, 'encrypt');
  return { v: 1, cipher: TRANSIT_CIPHER, key, key_version: version, ciphertext };
}

export function plaintextFrom(value: unknown): string {
  if (typeof value !== 'string') throw new VaultUnavailableError('bad_response', undefined, 'decrypt');
  return Buffer.from(value, 'base64').toString('utf8');
}

export function batchResults(body: unknown, expected: number): Record<string, unknown>[] {
  const results = field(body, 'data', 'batch_results');
  if (!Array.isArray(results) || results.length !== expected || !results.every(isRecord)) {
    throw new VaultUnavailableError('bad_response', undefined, 'batch');
  }
  return results;
}

/** Vault answers a batch with a failed item with 400 and the full response (no `errors`) as body. */
export function failedBatchResults(
  failure: ApiFailure,
  expected: number,
): Record<string, unknown>[] | undefined {
  if (failure.status !== 400 || !Array.isArray(field(failure.body, 'data', 'batch_results')))
    return undefined;
  return batchResults(failure.body, expected);
}

/** The error text of one batch item, or undefined when it succeeded. */
export function itemError(result: Record<string, unknown>): string | undefined {
  return typeof result.error === 'string' && result.error !== '' ? result.error : undefined;
}
