/** Test helpers shared by the Vault specs (not used by production code). */
import { FakeVault } from '../fakes/vault';
import { VaultTransitCipher, type VaultTransitCipherOptions } from '../../src/vault/vault-transit-cipher';

export const SESSION = '1BVtsOHYBu3Xo-session-string-with-full-account-access==';
export const KEY = 'telegram-sessions';
/**
 * The ciphers' timeoutMs in these specs: short enough for the timeout tests (the fake is made 3 s
 * slow there), long enough that a cold first call on a loaded 2-core CI machine never hits it
 * (300 ms did: "creates the derived transit key when missing" timed out in CI).
 */
export const TIMEOUT = 1000;
/** Scheduling slack allowed on top of timeoutMs. */
export const MARGIN = 250;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** Every way an error could be printed or logged. */
export function printed(err: Error): string {
  return [String(err), err.stack ?? '', JSON.stringify(err), JSON.stringify(Object.entries(err))].join('\n');
}

/** A fresh fake Vault per test, and the ciphers `make` built against it, stopped after the test. */
export class TransitSpecContext {
  vault!: FakeVault;
  logs: string[] = [];
  private ciphers: VaultTransitCipher[] = [];

  async setUp(): Promise<{ vault: FakeVault; logs: string[] }> {
    this.vault = await FakeVault.start();
    this.ciphers = [];
    this.logs = [];
    return { vault: this.vault, logs: this.logs };
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.ciphers.map((c) => c.stop()));
    await this.vault.stop();
  }

  /** A cipher on the fake Vault's root token with a short timeout, logging into `logs`. */
  readonly make = (options: Partial<VaultTransitCipherOptions> = {}): VaultTransitCipher => {
    const cipher = new VaultTransitCipher({
      url: this.vault.url,
      token: this.vault.rootToken,
      timeoutMs: TIMEOUT,
      logger: { log: (m) => this.logs.push(m), warn: (m) => this.logs.push(m) },
      ...options,
    });
    this.ciphers.push(cipher);
    return cipher;
  };
}
