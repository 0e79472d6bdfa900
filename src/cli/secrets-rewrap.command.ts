import { parseArgs } from 'node:util';
import { Client } from 'pg';
import type { AppConfig } from '../config/app-config';
import type { SecretCipher } from '../vault/cipher';
import {
  createLocalCipher,
  createVaultCipher,
  existingLocalCipher,
  localKeyringPath,
} from '../vault/cipher-factory';
import { registeredSecretColumns } from '../vault/secret-columns';
import {
  RewrapInterruptedError,
  SecretRewrapper,
  type RewrapCounts,
  type SecretRewrapSummary,
  type SqlClient,
} from '../vault/secret-rewrapper';
import type { VaultTransitCipher } from '../vault/vault-transit-cipher';
import { cliConfig, type CliIo, reportError, UsageError, withDatabaseUrl } from './bootstrap';

const USAGE = `usage: npm run secrets:rewrap -- [options]

Re-encrypts every stored secret (every column a feature registered: telegram_sessions.session_data,
telegram_bots.bot_token, ...) under the newest version of the target key, and moves secrets of another
cipher to the target (local -> Vault migration).

  --to vault|local        target cipher (default: vault when VAULT_URL is set, else local)
  --rotate                rotate the target key first, then rewrap everything to the new version
  --batch-size N          rows per page and per Vault round trip (default 200)
  --dry-run               count what would change; write nothing
  --local-keyring PATH    the local key ring to decrypt from / encrypt with
                          (default: $DATA_DIR/keys/local-keyring.json)
  -h, --help

Uses DATABASE_URL, or the embedded development database under $DATA_DIR (stop \`npm start\` first).
Safe to re-run: rows already at the newest version are skipped; each row is written only if nobody
changed it meanwhile. Exit code 0: all done; 2: some rows could not be decrypted; 1: stopped by an error.`;

interface CliOptions {
  to?: 'vault' | 'local';
  rotate: boolean;
  batchSize: number;
  dryRun: boolean;
  localKeyring?: string;
}

function parseOptions(argv: string[]): CliOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        to: { type: 'string' },
        rotate: { type: 'boolean', default: false },
        'batch-size': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'local-keyring': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) return undefined;
  if (values.to !== undefined && values.to !== 'vault' && values.to !== 'local')
    throw new UsageError(`--to must be vault or local, got "${values.to}"`);
  const batchSize = values['batch-size'] === undefined ? 200 : Number(values['batch-size']);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new UsageError('--batch-size must be an integer from 1 to 10000');
  return {
    to: values.to,
    rotate: values.rotate ?? false,
    batchSize,
    dryRun: values['dry-run'] ?? false,
    localKeyring: values['local-keyring'],
  };
}

function ciphersFor(
  config: AppConfig,
  options: CliOptions,
  io: CliIo,
): { target: SecretCipher; sources: SecretCipher[]; vault?: VaultTransitCipher } {
  const to = options.to ?? (config.vault.url ? 'vault' : 'local');
  if (to === 'vault' && !config.vault.url)
    throw new UsageError('--to vault needs VAULT_URL (and VAULT_TOKEN, AppRole or Kubernetes auth)');
  const vault = config.vault.url
    ? createVaultCipher(config, {
        logger: { log: () => undefined, warn: (m) => io.err(`Vault: ${m}`) },
      })
    : undefined;
  // Only the target may create a key ring; as a source, a missing key ring simply means no local rows.
  const local =
    to === 'local'
      ? createLocalCipher(config, options.localKeyring)
      : existingLocalCipher(config, options.localKeyring);
  if (options.localKeyring && !local) throw new UsageError(`No key ring at ${options.localKeyring}`);
  const target = to === 'vault' ? vault! : local!;
  const sources = [local, vault].filter((c): c is NonNullable<typeof c> => c !== undefined && c !== target);
  return { target, sources, vault };
}

/** "rewrapped 3, migrated 0, ..." (a dry run: "would rewrap 3, would migrate 0, ..."). */
function countsText(counts: RewrapCounts, dryRun: boolean): string {
  const [rewrap, migrate] = dryRun ? ['would rewrap', 'would migrate'] : ['rewrapped', 'migrated'];
  return (
    `${rewrap} ${counts.rewrapped}, ${migrate} ${counts.migrated}, skipped ${counts.skipped}, ` +
    `failed ${counts.failed}${dryRun ? '' : `, conflicts ${counts.conflicts}`}, empty ${counts.empty}`
  );
}

function doneLine(counts: RewrapCounts, dryRun: boolean): string {
  return `${countsText(counts, dryRun)} (scanned ${counts.scanned})`;
}

function printSummary(summary: SecretRewrapSummary, out: (line: string) => void): void {
  for (const [table, counts] of Object.entries(summary.tables))
    out(`  ${table}: ${doneLine(counts, summary.dryRun)}`);
  for (const failure of summary.failures)
    out(`  failed: ${failure.table} id ${failure.id}: ${failure.reason}`);
  if (summary.totals.failed > summary.failures.length)
    out(`  ... and ${summary.totals.failed - summary.failures.length} more failures`);
}

/** A pg client on `url` for the walk (checking the registered tables exist), closed afterwards. */
async function withClient<T>(
  config: AppConfig,
  url: string,
  work: (db: SqlClient) => Promise<T>,
): Promise<T> {
  const client = new Client({
    connectionString: url,
    application_name: 'integration-service secrets:rewrap',
    connectionTimeoutMillis: config.database.connectTimeoutMs,
    statement_timeout: config.database.statementTimeoutMs,
  });
  // A dropped connection fails the query in flight; without a listener it would also crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    for (const table of new Set(registeredSecretColumns().map((c) => c.table))) {
      const [row] = (
        await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table])
      ).rows;
      if (!row?.found)
        throw new UsageError(`Table ${table} does not exist: run \`npm run migration:run\` first`);
    }
    return await work({ query: async (sql, params) => (await client.query(sql, params)).rows });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `npm run secrets:rewrap -- [options]` (see USAGE). Returns the exit code: 0 all done, 2 some rows could not
 * be decrypted, 1 stopped by an error (bad usage or configuration, Vault or the database unavailable).
 */
export async function runRewrapCommand(argv: string[], io: CliIo): Promise<number> {
  try {
    return await rewrap(argv, io);
  } catch (error) {
    return reportError(error, io, USAGE);
  }
}

async function rewrap(argv: string[], io: CliIo): Promise<number> {
  const options = parseOptions(argv);
  if (!options) {
    io.out(USAGE);
    return 0;
  }
  const config = cliConfig(io);
  const { target, sources, vault } = ciphersFor(config, options, io);
  try {
    if (vault) await vault.start();
    return await withDatabaseUrl(config, (url) =>
      withClient(config, url, async (db) => {
        const version = await target.currentKeyVersion();
        io.out(
          `${options.dryRun ? 'Dry run: ' : ''}target ${target.name} key "${target.key}" v${version}` +
            (options.rotate ? (options.dryRun ? ' (would rotate first)' : ' (rotating first)') : '') +
            `; can also decrypt: ${sources.map((s) => `${s.name} "${s.key}"`).join(', ') || 'nothing else'}` +
            (sources.some((s) => s.name === 'local-aes-256-gcm') || target.name === 'local-aes-256-gcm'
              ? `; key ring ${options.localKeyring ?? localKeyringPath(config)}`
              : '') +
            `; batch size ${options.batchSize}`,
        );
        const rewrapper = new SecretRewrapper(db, {
          target,
          sources,
          batchSize: options.batchSize,
          dryRun: options.dryRun,
          rotate: options.rotate,
          onProgress: ({ table, batch, lastId, counts }) =>
            io.out(
              `  ${table} batch ${batch}: scanned ${counts.scanned}; ${countsText(counts, options.dryRun)}; last id ${lastId}`,
            ),
        });
        let summary: SecretRewrapSummary;
        try {
          summary = await rewrapper.run();
        } catch (error) {
          if (!(error instanceof RewrapInterruptedError)) throw error;
          io.err(`${error.message}. Nothing half-done is left behind: run it again to continue.`);
          printSummary(error.summary, io.out);
          return 1;
        }
        if (summary.rotatedFrom !== undefined)
          io.out(
            `Rotated "${summary.target.key}" from v${summary.rotatedFrom} to v${summary.target.version}`,
          );
        io.out(`${options.dryRun ? 'Dry run done' : 'Done'}: ${doneLine(summary.totals, options.dryRun)}`);
        printSummary(summary, io.out);
        return summary.totals.failed > 0 ? 2 : 0;
      }),
    );
  } finally {
    await vault?.stop();
  }
}
