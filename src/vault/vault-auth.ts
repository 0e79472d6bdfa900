/**
 * The three ways the client authenticates: a configured token, or an AppRole or Kubernetes login (whose
 * round trip `VaultClient` runs and bounds). Token renewal lives in the client.
 */
import { readFile } from 'node:fs/promises';
import type nodeVault from 'node-vault';
import { CipherNotConfiguredError, VaultUnavailableError } from './vault.errors';

export const DEFAULT_KUBERNETES_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface VaultAuthOptions {
  token?: string;
  approle?: { roleId: string; secretId: string; mountPath?: string };
  kubernetes?: { role: string; tokenPath?: string; mountPath?: string };
}

type NodeVaultClient = ReturnType<typeof nodeVault>;

/** A login round trip: what it is called, and the request (on a token-less client). */
export interface LoginCall {
  method: 'AppRole' | 'Kubernetes';
  operation: string;
  run(client: NodeVaultClient, requestOptions: object): Promise<unknown>;
}

/** Throws CipherNotConfiguredError for an authentication configuration that cannot work. */
export function checkAuthOptions(options: VaultAuthOptions): void {
  if (!options.token && !options.approle && !options.kubernetes) {
    throw new CipherNotConfiguredError('Vault needs a token, AppRole or Kubernetes authentication');
  }
  if (options.approle && (!options.approle.roleId || !options.approle.secretId)) {
    throw new CipherNotConfiguredError('Vault AppRole authentication needs a role id and a secret id');
  }
  if (options.kubernetes && !options.kubernetes.role) {
    throw new CipherNotConfiguredError('Vault Kubernetes authentication needs a role');
  }
}

/** Whether a new token can be had by logging in (AppRole or Kubernetes), not only the configured one. */
export function canLogin(options: VaultAuthOptions): boolean {
  return options.approle !== undefined || options.kubernetes !== undefined;
}

/** The login of the configured method (AppRole wins over Kubernetes). */
export async function loginCall({ approle, kubernetes }: VaultAuthOptions): Promise<LoginCall> {
  if (approle) {
    return {
      method: 'AppRole',
      operation: 'approle login',
      run: (client, requestOptions) =>
        client.approleLogin({
          role_id: approle.roleId,
          secret_id: approle.secretId,
          mount_point: approle.mountPath ?? 'approle',
          requestOptions,
        }),
    };
  }
  if (kubernetes) {
    let jwt: string;
    try {
      jwt = (await readFile(kubernetes.tokenPath ?? DEFAULT_KUBERNETES_TOKEN_PATH, 'utf8')).trim();
    } catch {
      throw new VaultUnavailableError(
        'login_failed',
        undefined,
        'kubernetes login (service account token unreadable)',
      );
    }
    return {
      method: 'Kubernetes',
      operation: 'kubernetes login',
      // node-vault 0.12.0 renders the default mount from the call's arguments, so it must be passed.
      run: (client, requestOptions) =>
        client.kubernetesLogin({
          role: kubernetes.role,
          jwt,
          mount_point: kubernetes.mountPath ?? 'kubernetes',
          requestOptions,
        }),
    };
  }
  throw new VaultUnavailableError('forbidden', 403, 'token (no login method configured)');
}
