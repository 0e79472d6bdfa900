/**
 * The Vault health probe: Vault's own state (`sys/health`: active, standby, sealed, uninitialised...), and,
 * when it says it can serve, whether this service can use it (a check the caller supplies, e.g. one tiny
 * transit encrypt). The whole probe is bounded by the client's timeout and never throws.
 */
import { isRecord } from '../common/util/is-record';
import type { CipherHealth, CipherState } from './cipher';
import type { VaultClient } from './vault-client';
import type { CallResult } from './vault-response';
import { CipherNotConfiguredError, VaultUnavailableError } from './vault.errors';

/** The health state for an error of the usability check. */
function healthStateOf(err: unknown): CipherState {
  if (err instanceof CipherNotConfiguredError) return 'misconfigured';
  if (!(err instanceof VaultUnavailableError)) return 'error';
  switch (err.reason) {
    case 'unreachable':
    case 'timeout':
    case 'sealed':
    case 'forbidden':
    case 'login_failed':
      return err.reason;
    case 'uninitialized':
      return 'uninitialized';
    default:
      return 'error';
  }
}

/** What `sys/health` says about Vault's state. */
function stateOf(body: Record<string, unknown>): CipherState {
  if (!body.initialized) return 'uninitialized';
  if (body.sealed) return 'sealed';
  if (body.replication_dr_mode === 'secondary') return 'dr_secondary';
  if (body.performance_standby === true) return 'perf_standby';
  if (body.standby === true) return 'standby';
  return 'active';
}

/**
 * @param canServe proves this service can use Vault before `deadline` (throws a VaultUnavailableError or a
 *   CipherNotConfiguredError when it cannot)
 */
export async function probeVaultHealth(
  client: VaultClient,
  canServe: (deadline: number) => Promise<void>,
): Promise<CipherHealth> {
  const started = Date.now();
  const deadline = started + client.timeoutMs;
  const result = (
    status: CipherHealth['status'],
    state: CipherState,
    version?: string,
    detail?: string,
  ): CipherHealth => ({
    status,
    state,
    latency_ms: Date.now() - started,
    ...(version !== undefined ? { version } : {}),
    ...(detail !== undefined ? { detail } : {}),
  });
  let res: CallResult;
  try {
    res = await client.sysHealth(deadline);
  } catch (err) {
    if (err instanceof VaultUnavailableError && err.reason === 'tls') {
      return result('down', 'tls_failed', undefined, err.detail);
    }
    return result(
      'down',
      err instanceof VaultUnavailableError && err.reason === 'timeout' ? 'timeout' : 'unreachable',
    );
  }
  const body = res.ok ? res.body : undefined;
  if (!isRecord(body) || typeof body.initialized !== 'boolean' || typeof body.sealed !== 'boolean') {
    return result('down', 'unexpected_response');
  }
  const version = typeof body.version === 'string' ? body.version : undefined;
  const state = stateOf(body);
  if (state !== 'active' && state !== 'standby' && state !== 'perf_standby') {
    return result('down', state, version);
  }
  try {
    await canServe(deadline);
  } catch (err) {
    return result('down', healthStateOf(err), version);
  }
  return result('up', state, version);
}

const DOWN_STATES: Partial<Record<CipherState, string>> = {
  sealed: 'Vault is sealed',
  uninitialized: 'Vault is not initialised',
  dr_secondary: 'Vault is a DR secondary and cannot serve requests',
  unreachable: 'Vault is unreachable',
  timeout: 'Vault did not answer within VAULT_TIMEOUT_MS',
  tls_failed: 'The TLS connection to Vault failed',
  unexpected_response: 'Vault answered something that is not a Vault health response',
  forbidden: "Vault refuses this service's token (403)",
  login_failed: 'The Vault login (AppRole/Kubernetes) is rejected',
  misconfigured: 'The transit key is missing or not derived',
};

/** The health error text: what is wrong (with `detail` when there is one), and the machine-readable state. */
export function describeDownState(state: CipherState, detail?: string): string {
  return `${detail ?? DOWN_STATES[state] ?? 'Vault cannot serve requests'} (state: ${state})`;
}
