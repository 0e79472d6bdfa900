import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(__dirname, '..');
const OVERLAY = join(ROOT, 'deploy', 'kubernetes', 'overlays', 'example');
const VALIDATE = join(ROOT, 'deploy', 'kubernetes', 'validate.mjs');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl)
  console.warn('kubectl not found: the manifest tests are skipped (CI installs it, see .ci/run)');

/** Offline: kubectl kustomize renders, the kubernetes-models schemas validate (deploy/kubernetes/validate.mjs). */
(hasKubectl ? describe : describe.skip)('Kubernetes manifests (deploy/kubernetes)', () => {
  const rendered = hasKubectl
    ? execFileSync('kubectl', ['kustomize', OVERLAY], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    : '';
  const objects = parseAllDocuments(rendered).map((d) => d.toJS() as K8sObject);
  const find = (kind: string) => {
    const found = objects.find((o) => o.kind === kind);
    if (!found) throw new Error(`no ${kind} rendered`);
    return found;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a rendered manifest, read field by field
  const deployment = find('Deployment') as any;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const config = find('ConfigMap').data ?? {};

  it('every rendered object is valid against its schema (ServiceMonitor: the CRD schema)', () => {
    const result = spawnSync(process.execPath, [VALIDATE, OVERLAY], { encoding: 'utf8' });
    expect(result.stdout).toContain('7 valid, 0 invalid');
    expect(result.status).toBe(0);
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
  });

  it('the validator refuses what the API server would refuse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      const file = join(dir, 'broken.yaml');
      writeFileSync(
        file,
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken}\nspec:\n  replicas: two\n  selector: {}\n  template: {}\n',
      );
      const result = spawnSync(process.execPath, [VALIDATE, file], { encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('spec/replicas must be integer');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Deployment: ≥ 2 replicas, the three probes on the health routes, a grace period above the shutdown bounds', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(container.livenessProbe.httpGet.path).toBe('/api/v1/health/liveness');
    expect(container.readinessProbe.httpGet.path).toBe('/api/v1/health/readiness');
    expect(container.startupProbe.httpGet.path).toBe('/api/v1/health/liveness');
    const shutdownMs = Number(config.SHUTDOWN_DRAIN_MS) + Number(config.SHUTDOWN_TIMEOUT_MS);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(shutdownMs);
    expect(find('HorizontalPodAutoscaler').spec?.minReplicas).toBeGreaterThanOrEqual(2);
    expect(find('PodDisruptionBudget').spec?.minAvailable).toBe(1);
  });

  it('non-root, read-only root filesystem, no privilege escalation, resources set', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toEqual(
      expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
    );
    expect(container.resources.limits.memory).toEqual(expect.any(String));
  });

  it('secrets by reference only; Vault Kubernetes auth; TLS material mounted from Secrets', () => {
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    for (const env of container.env as { name: string; value?: string; valueFrom?: unknown }[]) {
      expect(env.value).toBeUndefined();
      expect(env.valueFrom).toMatchObject({ secretKeyRef: { name: 'integration-service-secrets' } });
    }
    const configText = JSON.stringify(config);
    expect(configText).not.toMatch(/password|secret_id|token"?:\s*"[^/]/i);
    expect(config.VAULT_K8S_ROLE).toBeTruthy();
    const tokenMount = container.volumeMounts.find((m: { mountPath: string }) =>
      config.VAULT_K8S_TOKEN_PATH.startsWith(`${m.mountPath}/`),
    );
    expect(tokenMount).toBeDefined();
    const tlsMounts = (container.volumeMounts as { name: string; mountPath: string }[]).filter((m) =>
      m.mountPath.startsWith('/etc/integration-service/tls/'),
    );
    expect(tlsMounts.map((m) => m.mountPath).sort()).toEqual([
      '/etc/integration-service/tls/amqp',
      '/etc/integration-service/tls/postgres',
      '/etc/integration-service/tls/redis',
      '/etc/integration-service/tls/vault',
    ]);
    for (const mount of tlsMounts) {
      const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
      expect(volume.secret.secretName).toMatch(/^integration-service-tls-/);
    }
  });

  it('Service, ServiceMonitor and the pods agree on labels and the port', () => {
    const service = find('Service') as K8sObject & { spec: { selector: Record<string, string> } };
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    for (const [k, v] of Object.entries(service.spec.selector)) expect(labels[k]).toBe(v);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a rendered manifest
    const monitor = find('ServiceMonitor') as any;
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
    expect(container.ports[0]).toMatchObject({ name: 'http', containerPort: Number(config.PORT) });
    expect(objects.every((o) => o.metadata.namespace === 'content-factory' || o.kind === 'Namespace')).toBe(
      true,
    );
  });
});
