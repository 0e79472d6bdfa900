import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { openTestApp, type OpenedTestApp } from './support/app';

const DEPLOY = join(__dirname, '..', 'deploy');
/** Metrics of features still being added (none today). */
const COMING = new Set<string>();
/** Registered only when Vault is configured (this test runs with the local cipher). */
const WITH_VAULT = new Set(['vault_request_duration_seconds']);
/** Prometheus' own series. */
const PROMETHEUS = new Set(['up']);
const FUNCTIONS = new Set([
  'sum',
  'rate',
  'increase',
  'max',
  'min',
  'count',
  'by',
  'le',
  'or',
  'and',
  'on',
  'vector',
  'absent',
  'histogram_quantile',
  'time',
  'offset',
  'job',
  'status',
  'route',
  'method',
  'instance',
  'dependency',
  'operation',
  'outcome',
  'kind',
  'result',
  'reason',
  'humanizeDuration',
  'humanizePercentage',
]);

/** Metric names an expression reads (identifiers outside label matchers that are not PromQL words). */
function metricsOf(expr: string): string[] {
  const withoutLabels = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b\d+[smhdwy]\b/g, '');
  const names = withoutLabels.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return names
    .filter((n) => !FUNCTIONS.has(n) && !/^\d/.test(n))
    .map((n) => n.replace(/_(bucket|count|sum)$/, ''));
}

describe('dashboard and alerts read metrics the service exports', () => {
  let t: OpenedTestApp;
  let exported: Set<string>;

  beforeAll(async () => {
    t = await openTestApp({
      TELEGRAM_EMULATOR: 'true',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `operator-kit-${process.pid}:`,
    });
    const text = (await t.inject('/metrics')).body;
    exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
  });
  afterAll(() => t.close());

  const known = (name: string) =>
    exported.has(name) || COMING.has(name) || PROMETHEUS.has(name) || WITH_VAULT.has(name);

  it('every alert expression', () => {
    const rules = (
      parse(readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')) as {
        groups: { rules: { alert: string; expr: string }[] }[];
      }
    ).groups.flatMap((g) => g.rules);
    const unknown = rules.flatMap((r) =>
      metricsOf(r.expr)
        .filter((n) => !known(n))
        .map((n) => `${r.alert}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('every dashboard panel, and the panels the issue lists are there', () => {
    const dashboard = JSON.parse(
      readFileSync(join(DEPLOY, 'grafana', 'integration-service.json'), 'utf8'),
    ) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const unknown = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).flatMap((target) =>
        metricsOf(target.expr)
          .filter((n) => !known(n))
          .map((n) => `${p.title}: ${n}`),
      ),
    );
    expect(unknown).toEqual([]);
    const titles = dashboard.panels.map((p) => p.title);
    for (const wanted of [
      'Request rate by route',
      'Errors by route (4xx, 5xx)',
      'Latency by route (p50 / p99)',
      'Logins by method and result',
      'Sessions by status',
      'Vault latency by operation (p95)',
      'Send queue depth',
      'Send latency (messages.SendMessage)',
      'Outbox backlog',
      'WebSocket connections',
      'Resident memory',
      'Event-loop lag (p99)',
    ]) {
      expect(titles).toContain(wanted);
    }
  });

  it('dependency_up reports each dependency', async () => {
    const text = (await t.inject('/metrics')).body;
    expect(text).toMatch(/^dependency_up\{dependency="database"\} 1$/m);
    expect(text).toMatch(/^dependency_check_duration_seconds\{dependency="database"\} [\d.e-]+$/m);
  });
});
