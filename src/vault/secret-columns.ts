/**
 * The registry of columns that hold secret envelopes. A feature registers its own next to its entity
 * (`registerSecretColumns({ table: 'telegram_bots', column: 'bot_token' })`); the rewrap command walks
 * whatever is registered, so a new secret column is rewrapped and migrated without touching src/vault.
 */

export interface SecretColumn {
  table: string;
  /** The JSONB column holding a `SecretEnvelope` (or `{}` when wiped). */
  column: string;
  /** The UUID primary key the rewrap pages over. Default `id`. */
  idColumn?: string;
  /** The integer id of the owning user: the envelope is bound to it. Default `user_id`. */
  userColumn?: string;
}

export type RegisteredSecretColumn = Required<SecretColumn>;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const registered = new Map<string, RegisteredSecretColumn>();

/** Fills in the defaults and checks every name is a plain SQL identifier (they are quoted into SQL). */
export function secretColumn(column: SecretColumn): RegisteredSecretColumn {
  const full = { idColumn: 'id', userColumn: 'user_id', ...column };
  for (const name of [full.table, full.column, full.idColumn, full.userColumn]) {
    if (!IDENTIFIER.test(name))
      throw new RangeError(`Bad table/column name "${name}" in ${full.table}.${full.column}`);
  }
  return full;
}

/** Registers columns holding secrets. Registering the same table and column again replaces the entry. */
export function registerSecretColumns(...columns: SecretColumn[]): void {
  for (const column of columns) {
    const full = secretColumn(column);
    registered.set(`${full.table}.${full.column}`, full);
  }
}

/** Every registered column, in registration order. */
export function registeredSecretColumns(): readonly RegisteredSecretColumn[] {
  return [...registered.values()];
}

/** How a column is named in rewrap summaries: its table, or `table.column` when the table has several. */
export function secretColumnLabel(
  column: RegisteredSecretColumn,
  all: readonly RegisteredSecretColumn[],
): string {
  return all.filter((c) => c.table === column.table).length > 1
    ? `${column.table}.${column.column}`
    : column.table;
}
