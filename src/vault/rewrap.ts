/**
 * Re-encrypts stored envelopes under the newest key version of a target cipher:
 *
 * - same cipher and key (vault→vault, local→local): the target's `rewrapMany` (Vault: `transit/rewrap` with
 *   `batch_input`, plaintext never leaves Vault; local: decrypt + encrypt under the newest version);
 * - another cipher or key (e.g. local→vault migration): decrypt with the matching source cipher, then the
 *   target's `encryptMany` (one round trip per batch).
 *
 * Idempotent: an envelope already at the target's newest version is left as it is and reported as skipped.
 * Items that fail are reported with a typed error and their original envelope; they never abort the batch
 * (an unavailable Vault does: that error is thrown).
 */
import type { SecretCipher, SecretEnvelope } from './cipher';
import { CipherNotConfiguredError, SecretDecryptionError } from './vault.errors';

export interface RewrapItem {
  envelope: SecretEnvelope;
  userId: number;
}

export type RewrapStatus = 'rewrapped' | 'migrated' | 'skipped' | 'failed';

export interface RewrapItemResult {
  /** Position in the input. */
  index: number;
  status: RewrapStatus;
  /** The envelope to store: the new one, or the input one when skipped or failed. */
  envelope: SecretEnvelope;
  error?: SecretDecryptionError | CipherNotConfiguredError;
}

export interface RewrapReport {
  results: RewrapItemResult[];
  rewrapped: number;
  migrated: number;
  skipped: number;
  failed: number;
  /** The target key version everything was brought to. */
  targetVersion: number;
}

export interface RewrapOptions {
  /** Ciphers that can decrypt envelopes of other ciphers/keys (e.g. the local cipher for a migration). */
  sources?: readonly SecretCipher[];
  /** Items per Vault round trip. Default 200. */
  batchSize?: number;
}

function chunks<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

export type RewrapPlan =
  | { action: 'skip' }
  | { action: 'rewrap' }
  | { action: 'migrate'; source: SecretCipher }
  | { action: 'fail'; error: CipherNotConfiguredError };

/**
 * What `rewrapEnvelopes` will do with one envelope, from its metadata alone (no Vault call): skip it (already
 * at the target's newest version), rewrap it (same cipher and key, older version), migrate it (decrypt with
 * `source`, encrypt with the target) or fail (no configured cipher can decrypt it).
 */
export function planRewrap(
  envelope: SecretEnvelope,
  target: SecretCipher,
  targetVersion: number,
  sources: readonly SecretCipher[] = [],
): RewrapPlan {
  if (envelope.cipher === target.name && envelope.key === target.key) {
    return envelope.key_version >= targetVersion ? { action: 'skip' } : { action: 'rewrap' };
  }
  const source =
    sources.find((c) => c.name === envelope.cipher && c.key === envelope.key) ??
    (target.name === envelope.cipher && target.name === 'vault-transit' ? target : undefined) ??
    sources.find((c) => c.name === envelope.cipher);
  if (!source) {
    return {
      action: 'fail',
      error: new CipherNotConfiguredError(`No cipher configured to decrypt ${envelope.cipher} envelopes`),
    };
  }
  return { action: 'migrate', source };
}

export async function rewrapEnvelopes(
  items: readonly RewrapItem[],
  target: SecretCipher,
  options: RewrapOptions = {},
): Promise<RewrapReport> {
  const batchSize = options.batchSize ?? 200;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a positive integer');
  const results: RewrapItemResult[] = new Array<RewrapItemResult>(items.length);
  if (items.length === 0)
    return { results, rewrapped: 0, migrated: 0, skipped: 0, failed: 0, targetVersion: 0 };

  const targetVersion = await target.currentKeyVersion();
  const sameKey: number[] = [];
  const foreign = new Map<SecretCipher, number[]>();

  items.forEach((item, index) => {
    const { envelope } = item;
    const plan = planRewrap(envelope, target, targetVersion, options.sources);
    if (plan.action === 'skip') results[index] = { index, status: 'skipped', envelope };
    else if (plan.action === 'fail')
      results[index] = { index, status: 'failed', envelope, error: plan.error };
    else if (plan.action === 'rewrap') sameKey.push(index);
    else {
      const group = foreign.get(plan.source) ?? [];
      group.push(index);
      foreign.set(plan.source, group);
    }
  });

  for (const chunk of chunks(sameKey, batchSize)) {
    const rewrapped = await target.rewrapMany(chunk.map((i) => items[i]));
    rewrapped.forEach((result, j) => {
      const index = chunk[j];
      results[index] = result.ok
        ? { index, status: 'rewrapped', envelope: result.value }
        : { index, status: 'failed', envelope: items[index].envelope, error: result.error };
    });
  }

  for (const [source, indexes] of foreign) {
    for (const chunk of chunks(indexes, batchSize)) {
      const decrypted = await source.decryptMany(chunk.map((i) => items[i]));
      const plain: { index: number; plaintext: string }[] = [];
      decrypted.forEach((result, j) => {
        const index = chunk[j];
        if (result.ok) plain.push({ index, plaintext: result.value });
        else
          results[index] = { index, status: 'failed', envelope: items[index].envelope, error: result.error };
      });
      if (plain.length === 0) continue;
      const encrypted = await target.encryptMany(
        plain.map((p) => ({ plaintext: p.plaintext, userId: items[p.index].userId })),
      );
      encrypted.forEach((envelope, j) => {
        const { index } = plain[j];
        results[index] = { index, status: 'migrated', envelope };
      });
    }
  }

  const count = (status: RewrapStatus): number => results.filter((r) => r.status === status).length;
  return {
    results,
    rewrapped: count('rewrapped'),
    migrated: count('migrated'),
    skipped: count('skipped'),
    failed: count('failed'),
    targetVersion,
  };
}
