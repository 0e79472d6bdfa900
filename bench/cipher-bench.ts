/**
 * Secret cipher benchmark: encrypt + decrypt throughput and latency of each cipher, and how many Vault round
 * trips one stored secret costs.
 *
 * - local-aes-256-gcm: the development cipher (a key ring file in a temporary directory).
 * - vault-transit: the real VaultTransitCipher through the real node-vault, against the FAKE Vault from
 *   test/fakes/vault started in this process. Its absolute numbers are the fake's (and share this event
 *   loop with the client); a real Vault adds its own latency and network. What carries over is the client's
 *   overhead and the round-trip count, counted by the fake's request log: the aim is one per encrypt and one
 *   per decrypt (2 per secret stored and read back), and far below one per secret for a batched rewrap.
 *
 * `runCipherBench()` is called from bench/run.ts; `formatCipherBench()` renders its rows as a table.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SecretCipher } from '../src/vault/cipher';
import { LocalAesGcmCipher } from '../src/vault/local-cipher';
import { rewrapEnvelopes } from '../src/vault/rewrap';
import { VaultTransitCipher } from '../src/vault/vault-transit-cipher';

export interface CipherBenchResult {
  name: string;
  /** Secrets per second (each one encrypted then decrypted; for the rewrap row: rewrapped). */
  opsPerSec: number;
  /** Latency of one operation (encrypt + decrypt of one secret; for the rewrap row: one batch). */
  p50ms: number;
  p99ms: number;
  /** Vault HTTP requests per secret (0 for the local cipher). */
  vaultRoundTripsPerSecret: number;
  /** TCP connections the client opened to Vault during the run (keep-alive: at most one per caller). */
  vaultConnections?: number;
  note?: string;
}

export interface CipherBenchOptions {
  /** Secrets per measured run. Default 2000. */
  secrets?: number;
  /** Unmeasured secrets first (JIT, connection pool). Default 200. */
  warmup?: number;
  /** Concurrent callers of the concurrent run. Default 16. */
  concurrency?: number;
  /** Items per transit/rewrap call in the rewrap run. Default 200. */
  rewrapBatch?: number;
}

/** What the bench uses of test/fakes/vault's FakeVault. */
interface FakeVaultHandle {
  readonly url: string;
  readonly rootToken: string;
  requestCount(): number;
  connectionCount(): number;
  resetRequests(): void;
  stop(): Promise<void>;
}

/**
 * The fake lives in test/, which the production image's build context leaves out: it is loaded at run time, so
 * compiling bench/ never depends on it. Under jest/swc this resolves test/fakes/vault/index.ts; from dist/bench it
 * needs dist/test/fakes/vault, which tsconfig.bench.json (`npm run build:bench`) compiles beside dist/bench.
 */
function startFakeVault(): Promise<FakeVaultHandle> {
  const path = join(__dirname, '..', 'test', 'fakes', 'vault');
  let loaded: { FakeVault: { start(): Promise<FakeVaultHandle> } };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a run-time dependency on purpose (see above)
    loaded = require(path) as typeof loaded;
  } catch {
    throw new Error(`The cipher bench needs the fake Vault built at ${path}: run 'npm run build:bench'`);
  }
  return loaded.FakeVault.start();
}

const FAKE_NOTE =
  'FAKE Vault (test/fakes/vault) in this process: absolute numbers are the fake’s, not Vault’s';

/** A GramJS StringSession is ~350 characters of base64. */
function sessionString(): string {
  return `1${randomBytes(260).toString('base64')}`;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

interface PairRun {
  opsPerSec: number;
  p50ms: number;
  p99ms: number;
}

/** `count` secrets, each encrypted then decrypted (and checked), by `concurrency` callers. */
async function encryptDecrypt(cipher: SecretCipher, count: number, concurrency: number): Promise<PairRun> {
  const inputs = Array.from({ length: count }, (_, i) => ({
    plaintext: sessionString(),
    userId: 1000 + (i % 50),
  }));
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const { plaintext, userId } = inputs[i];
      const started = performance.now();
      const envelope = await cipher.encrypt(plaintext, userId);
      const decrypted = await cipher.decrypt(envelope, userId);
      latencies.push(performance.now() - started);
      if (decrypted !== plaintext) throw new Error(`${cipher.name}: a secret did not round-trip`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    opsPerSec: round(count / seconds, 1),
    p50ms: round(percentile(latencies, 50), 3),
    p99ms: round(percentile(latencies, 99), 3),
  };
}

export async function runCipherBench(options: CipherBenchOptions = {}): Promise<CipherBenchResult[]> {
  const secrets = options.secrets ?? 2000;
  const warmup = options.warmup ?? 200;
  const concurrency = options.concurrency ?? 16;
  const rewrapBatch = options.rewrapBatch ?? 200;
  const results: CipherBenchResult[] = [];

  const vault = await startFakeVault();
  const dir = await mkdtemp(join(tmpdir(), 'cipher-bench-'));
  const transit = new VaultTransitCipher({ url: vault.url, token: vault.rootToken, timeoutMs: 10_000 });
  try {
    const local = new LocalAesGcmCipher({ keyringPath: join(dir, 'keys', 'local-keyring.json') });
    await local.init();
    await encryptDecrypt(local, warmup, 1);
    results.push({
      name: 'local-aes-256-gcm encrypt+decrypt',
      ...(await encryptDecrypt(local, secrets, 1)),
      vaultRoundTripsPerSecret: 0,
    });

    await transit.start();
    await encryptDecrypt(transit, warmup, concurrency);
    for (const callers of [1, concurrency]) {
      vault.resetRequests();
      const run = await encryptDecrypt(transit, secrets, callers);
      results.push({
        name: `vault-transit (FAKE Vault) encrypt+decrypt, ${callers} caller${callers === 1 ? '' : 's'}`,
        ...run,
        vaultRoundTripsPerSecret: round(vault.requestCount() / secrets, 3),
        vaultConnections: vault.connectionCount(),
        note: `${FAKE_NOTE}; aim 2 round trips per secret (1 encrypt + 1 decrypt)`,
      });
    }

    // Rotation: every stored secret moved to the new key version by transit/rewrap with batch_input.
    const items = Array.from({ length: secrets }, (_, i) => ({
      plaintext: sessionString(),
      userId: 1000 + (i % 50),
    }));
    const envelopes = await transit.encryptMany(items);
    await transit.rotateKey();
    const stored = envelopes.map((envelope, i) => ({ envelope, userId: items[i].userId }));
    const batchLatencies: number[] = [];
    vault.resetRequests();
    const started = performance.now();
    let rewrapped = 0;
    for (let i = 0; i < stored.length; i += rewrapBatch) {
      const batchStarted = performance.now();
      const report = await rewrapEnvelopes(stored.slice(i, i + rewrapBatch), transit, {
        batchSize: rewrapBatch,
      });
      batchLatencies.push(performance.now() - batchStarted);
      rewrapped += report.rewrapped;
    }
    const seconds = (performance.now() - started) / 1000;
    if (rewrapped !== secrets) throw new Error(`rewrap: ${rewrapped} of ${secrets} rewrapped`);
    batchLatencies.sort((a, b) => a - b);
    results.push({
      name: `vault-transit (FAKE Vault) rewrap after rotation, batches of ${rewrapBatch}`,
      opsPerSec: round(secrets / seconds, 1),
      p50ms: round(percentile(batchLatencies, 50), 3),
      p99ms: round(percentile(batchLatencies, 99), 3),
      vaultRoundTripsPerSecret: round(vault.requestCount() / secrets, 4),
      vaultConnections: vault.connectionCount(),
      note: `${FAKE_NOTE}; latency is per batch (1 key read + 1 transit/rewrap per batch)`,
    });
  } finally {
    await transit.stop();
    await vault.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

/** name | secrets/s | p50 | p99 | Vault round trips per secret, then the notes. */
export function formatCipherBench(results: CipherBenchResult[]): string {
  const header = ['cipher', 'secrets/s', 'p50 ms', 'p99 ms', 'Vault round trips/secret', 'connections'];
  const rows = results.map((r) => [
    r.name,
    r.opsPerSec.toFixed(1),
    r.p50ms.toFixed(3),
    r.p99ms.toFixed(3),
    String(r.vaultRoundTripsPerSecret),
    r.vaultConnections === undefined ? '-' : String(r.vaultConnections),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ');
  const notes = [...new Set(results.flatMap((r) => (r.note ? [r.note] : [])))];
  return [
    line(header),
    '-'.repeat(line(header).length),
    ...rows.map(line),
    ...notes.map((n) => `note: ${n}`),
  ].join('\n');
}
