import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const DIR = join(__dirname, '..', 'deploy', 'prometheus');
const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPromtool)
  console.warn('promtool not found: the alert-rule tests are skipped (CI installs it, see .ci/run)');

interface Rule {
  alert: string;
  expr: string;
}

describe('Prometheus alert rules (deploy/prometheus/alerts.yml)', () => {
  const rules = (
    parse(readFileSync(join(DIR, 'alerts.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }
  ).groups.flatMap((g) => g.rules);
  const tests = readFileSync(join(DIR, 'alerts.test.yml'), 'utf8');

  it('covers what operators asked for, and every alert has a promtool unit test', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'DependencyTlsCertificateExpiringSoon',
      'IntegrationServiceDown',
      'IntegrationServiceHigh5xxRatio',
      'IntegrationServiceHighP99Latency',
      'IntegrationServicePostgresUnavailable',
      'IntegrationServiceReplicaDown',
      'IntegrationServiceUnhandledRejection',
      'IntegrationServiceVaultUnavailable',
      'OutboxBacklogTooOld',
      'TelegramFloodWaitsSpiking',
      'TelegramMessagesParked',
      'TelegramRevokedSessionsSpiking',
      'TelegramSendOldestMessageTooOld',
      'TelegramSendQueueGrowing',
      'TelegramWatchdogNotRunning',
    ]);
    for (const rule of rules)
      expect(tests).toContain(`alertname: ${rule.alert}\n        exp_alerts:\n          - exp_labels`);
  });

  (hasPromtool ? it : it.skip)('promtool checks the rules and passes their unit tests', () => {
    const check = spawnSync('promtool', ['check', 'rules', 'alerts.yml'], { cwd: DIR, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain('SUCCESS: 15 rules found');
    expect(check.status).toBe(0);
    const result = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], {
      cwd: DIR,
      encoding: 'utf8',
    });
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
