/**
 * Walks every stored secret (the columns features registered, see secret-columns.ts) and brings it under the
 * target cipher's newest key version: a rewrap for envelopes of the same cipher and key (Vault: transit/rewrap
 * in batches, the plaintext never leaves Vault), a migration (decrypt with a source cipher, encrypt with the
 * target) for the others. The command-line shell is src/cli/secrets-rewrap.command.ts.
 *
 * - Batched: keyset pages over the primary key (`id > last ORDER BY id LIMIT n`), one Vault batch and one
 *   UPDATE per page.
 * - Idempotent and resumable: an envelope already at the newest version is skipped without a Vault call, so a
 *   run that stopped (Vault gone, Ctrl-C) continues where it was when started again.
 * - Compare-and-set: a row is written only if it still holds the envelope that was read, so a concurrent
 *   writer (a re-login storing a fresh session) is never overwritten; such rows are counted as conflicts.
 * - Wiped rows (`{}`) are counted and left alone; a value that is not an envelope is a failure, never touched.
 * - Nothing here logs or returns plaintext; failures name the table, the row id and a reason.
 */
import { isRecord } from '../common/util/is-record';
import { isSecretEnvelope, type SecretCipher } from './cipher';
import { planRewrap, rewrapEnvelopes, type RewrapItem } from './rewrap';
import {
  registeredSecretColumns,
  type RegisteredSecretColumn,
  secretColumn,
  secretColumnLabel,
  type SecretColumn,
} from './secret-columns';
import { SecretDecryptionError } from './vault.errors';

/** The one thing needed from a database connection: pg's Client/Pool wrapped to return rows. */
export interface SqlClient {
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface RewrapCounts {
  /** Rows read. */
  scanned: number;
  /** Same cipher and key, brought to the newest version (dry run: would be). */
  rewrapped: number;
  /** Moved from another cipher or key (dry run: would be). */
  migrated: number;
  /** Already at the newest version. */
  skipped: number;
  /** Not decryptable (wrong user binding, unknown key or version, no cipher for it, not an envelope). */
  failed: number;
  /** Changed by someone else between the read and the write: left as they left it. */
  conflicts: number;
  /** Wiped rows (`{}`). */
  empty: number;
}

export interface RewrapFailure {
  /** The column's label (its table; `table.column` when a table has several secret columns). */
  table: string;
  id: string;
  /** A SecretDecryptionReason, or why no cipher could handle it. */
  reason: string;
}

export interface RewrapProgress {
  /** The column's label, as in RewrapFailure. */
  table: string;
  /** 1-based page number within the table. */
  batch: number;
  lastId: string;
  /** Counts of this table so far. */
  counts: RewrapCounts;
}

export interface SecretRewrapSummary {
  dryRun: boolean;
  target: { cipher: string; key: string; version: number };
  /** The version before `rotate` made a new one. */
  rotatedFrom?: number;
  /** Counts per column, by label (see RewrapFailure.table). */
  tables: Record<string, RewrapCounts>;
  totals: RewrapCounts;
  /** The first `maxFailuresListed` failures. */
  failures: RewrapFailure[];
}

export interface SecretRewrapperOptions {
  target: SecretCipher;
  /** Ciphers that can decrypt envelopes the target did not make (a local → Vault migration: the local one). */
  sources?: readonly SecretCipher[];
  /** Rows per page and items per Vault round trip. Default 200. */
  batchSize?: number;
  /** Count what would change; write nothing, rotate nothing, no Vault crypto call. */
  dryRun?: boolean;
  /** Rotate the target key first (a new newest version), then rewrap everything to it. */
  rotate?: boolean;
  /** Default: every registered column (`registeredSecretColumns()`). */
  columns?: readonly SecretColumn[];
  onProgress?: (progress: RewrapProgress) => void;
  /** Default 100. */
  maxFailuresListed?: number;
}

/** The run stopped (Vault or the database went away); `summary` holds what was done. Re-run to continue. */
export class RewrapInterruptedError extends Error {
  override readonly name = 'RewrapInterruptedError';

  constructor(
    readonly summary: SecretRewrapSummary,
    readonly table: string,
    override readonly cause: unknown,
  ) {
    super(`Stopped while rewrapping ${table}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

interface SecretRow extends Record<string, unknown> {
  id: string;
  user_id: number;
  secret: unknown;
}

export function emptyCounts(): RewrapCounts {
  return { scanned: 0, rewrapped: 0, migrated: 0, skipped: 0, failed: 0, conflicts: 0, empty: 0 };
}

function add(into: RewrapCounts, from: RewrapCounts): void {
  for (const key of Object.keys(into) as (keyof RewrapCounts)[]) into[key] += from[key];
}

function isEmptyObject(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).length === 0;
}

function reasonOf(error: unknown): string {
  if (error instanceof SecretDecryptionError) return error.reason;
  return error instanceof Error ? error.message : 'unknown';
}

export class SecretRewrapper {
  private readonly batchSize: number;
  private readonly columns: readonly RegisteredSecretColumn[];
  private readonly maxFailuresListed: number;

  constructor(
    private readonly db: SqlClient,
    private readonly options: SecretRewrapperOptions,
  ) {
    this.batchSize = options.batchSize ?? 200;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > 10_000) {
      throw new RangeError('batchSize must be an integer from 1 to 10000');
    }
    this.columns = (options.columns ?? registeredSecretColumns()).map(secretColumn);
    this.maxFailuresListed = options.maxFailuresListed ?? 100;
  }

  async run(): Promise<SecretRewrapSummary> {
    const { target, dryRun = false } = this.options;
    let rotatedFrom: number | undefined;
    if (this.options.rotate && !dryRun) {
      rotatedFrom = await target.currentKeyVersion();
      await target.rotateKey();
    }
    const summary: SecretRewrapSummary = {
      dryRun,
      target: { cipher: target.name, key: target.key, version: await target.currentKeyVersion() },
      ...(rotatedFrom !== undefined ? { rotatedFrom } : {}),
      tables: {},
      totals: emptyCounts(),
      failures: [],
    };
    for (const column of this.columns) {
      const label = secretColumnLabel(column, this.columns);
      const counts = emptyCounts();
      summary.tables[label] = counts;
      try {
        await this.walk(column, label, counts, summary);
      } catch (error) {
        add(summary.totals, counts);
        throw new RewrapInterruptedError(summary, label, error);
      }
      add(summary.totals, counts);
    }
    return summary;
  }

  private async walk(
    column: RegisteredSecretColumn,
    table: string,
    counts: RewrapCounts,
    summary: SecretRewrapSummary,
  ): Promise<void> {
    let lastId: string | undefined;
    for (let batch = 1; ; batch++) {
      const rows = await this.page(column, lastId);
      if (rows.length === 0) return;
      lastId = rows[rows.length - 1].id;
      counts.scanned += rows.length;

      const items: RewrapItem[] = [];
      const ids: string[] = [];
      for (const row of rows) {
        if (isEmptyObject(row.secret)) {
          counts.empty += 1;
        } else if (!isSecretEnvelope(row.secret) || !Number.isSafeInteger(row.user_id)) {
          this.fail(summary, counts, table, row.id, 'malformed');
        } else {
          items.push({ envelope: row.secret, userId: row.user_id });
          ids.push(row.id);
        }
      }
      if (items.length > 0) {
        if (this.options.dryRun) await this.plan(items, ids, table, counts, summary);
        else await this.rewrap(items, ids, table, column, counts, summary);
      }
      this.options.onProgress?.({ table, batch, lastId, counts: { ...counts } });
      if (rows.length < this.batchSize) return;
    }
  }

  private page(
    { table, column, idColumn, userColumn }: RegisteredSecretColumn,
    after: string | undefined,
  ): Promise<SecretRow[]> {
    const id = `"${idColumn}"`;
    const select = `SELECT ${id}::text AS id, "${userColumn}" AS user_id, "${column}" AS secret FROM "${table}"`;
    return after === undefined
      ? this.db.query<SecretRow>(`${select} ORDER BY ${id} LIMIT $1`, [this.batchSize])
      : this.db.query<SecretRow>(`${select} WHERE ${id} > $1::uuid ORDER BY ${id} LIMIT $2`, [
          after,
          this.batchSize,
        ]);
  }

  private async plan(
    items: RewrapItem[],
    ids: string[],
    table: string,
    counts: RewrapCounts,
    summary: SecretRewrapSummary,
  ): Promise<void> {
    // A dry run with `rotate` does not rotate, but counts as if it had: every same-key envelope is then old.
    const version = (await this.options.target.currentKeyVersion()) + (this.options.rotate ? 1 : 0);
    items.forEach((item, i) => {
      const plan = planRewrap(item.envelope, this.options.target, version, this.options.sources);
      if (plan.action === 'skip') counts.skipped += 1;
      else if (plan.action === 'rewrap') counts.rewrapped += 1;
      else if (plan.action === 'migrate') counts.migrated += 1;
      else this.fail(summary, counts, table, ids[i], reasonOf(plan.error));
    });
  }

  private async rewrap(
    items: RewrapItem[],
    ids: string[],
    table: string,
    { table: tableName, column, idColumn }: RegisteredSecretColumn,
    counts: RewrapCounts,
    summary: SecretRewrapSummary,
  ): Promise<void> {
    const report = await rewrapEnvelopes(items, this.options.target, {
      sources: this.options.sources,
      batchSize: this.batchSize,
    });
    const changes: { id: string; old: unknown; new: unknown; status: 'rewrapped' | 'migrated' }[] = [];
    for (const result of report.results) {
      const id = ids[result.index];
      if (result.status === 'skipped') counts.skipped += 1;
      else if (result.status === 'failed') this.fail(summary, counts, table, id, reasonOf(result.error));
      else
        changes.push({ id, old: items[result.index].envelope, new: result.envelope, status: result.status });
    }
    if (changes.length === 0) return;
    const written = await this.db.query<{ id: string }>(
      `UPDATE "${tableName}" AS t SET "${column}" = v.new
         FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, old jsonb, new jsonb)
        WHERE t."${idColumn}" = v.id AND t."${column}" = v.old
        RETURNING t."${idColumn}"::text AS id`,
      [JSON.stringify(changes.map(({ id, old, new: value }) => ({ id, old, new: value })))],
    );
    const done = new Set(written.map((row) => row.id));
    for (const change of changes) {
      if (done.has(change.id)) counts[change.status] += 1;
      else counts.conflicts += 1;
    }
  }

  private fail(
    summary: SecretRewrapSummary,
    counts: RewrapCounts,
    table: string,
    id: string,
    reason: string,
  ): void {
    counts.failed += 1;
    if (summary.failures.length < this.maxFailuresListed) summary.failures.push({ table, id, reason });
  }
}
