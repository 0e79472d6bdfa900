/**
 * Reading Vault's answers: typed access into response bodies, and the mapping of failed calls to
 * `VaultUnavailableError` reasons. No raw client error ever leaves these functions (node-vault/axios errors
 * carry the request body, i.e. the plaintext, in `config.data`).
 */
import { isRecord } from '../common/util/is-record';
import { VaultUnavailableError } from './vault.errors';

/** An API error answer of Vault: its status, body and the `errors` texts. */
export interface ApiFailure {
  status: number;
  body: unknown;
  errors: string[];
}

/** A round trip that reached Vault: its body, or the API error it answered with. */
export type CallResult = { ok: true; body: unknown } | { ok: false; failure: ApiFailure };

/** `field(body, 'data', 'ciphertext')`: the value at that path, or undefined. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** A finite number, or a decimal string of one (Vault answers both). */
export function numberField(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** node-vault's ApiResponseError: an Error with `response: { statusCode, body }`. */
export function apiFailureOf(err: unknown): ApiFailure | undefined {
  if (!(err instanceof Error)) return undefined;
  const response: unknown = (err as Error & { response?: unknown }).response;
  if (!isRecord(response) || typeof response.statusCode !== 'number') return undefined;
  const errorsField = field(response.body, 'errors');
  const errors = Array.isArray(errorsField)
    ? errorsField.filter((e): e is string => typeof e === 'string')
    : [];
  return { status: response.statusCode, body: response.body, errors };
}

/** axios errors (network, timeout) have `isAxiosError` and a `code`. */
export function networkReason(err: unknown): 'timeout' | 'unreachable' | undefined {
  if (!isRecord(err) || err.isAxiosError !== true) return undefined;
  return err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' ? 'timeout' : 'unreachable';
}

/** Why an API error answer means Vault cannot be used for `operation`. */
export function unavailableError(failure: ApiFailure, operation: string): VaultUnavailableError {
  const { status } = failure;
  if (status === 403) return new VaultUnavailableError('forbidden', status, operation);
  if (status === 503 && failure.errors.some((e) => /sealed/i.test(e))) {
    return new VaultUnavailableError('sealed', status, operation);
  }
  if (status === 501) return new VaultUnavailableError('uninitialized', status, operation);
  if (status === 429) return new VaultUnavailableError('rate_limited', status, operation);
  if (status >= 500) return new VaultUnavailableError('server_error', status, operation);
  return new VaultUnavailableError('rejected', status, operation);
}
