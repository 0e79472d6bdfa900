#!/usr/bin/env node
// Renders a kustomize directory offline (`kubectl kustomize`) or reads YAML files, and validates
// every object against the Kubernetes OpenAPI schemas with the npm `kubernetes-models` classes
// (ServiceMonitor: the prometheus-operator CRD's schema, `@kubernetes-models/prometheus-operator`).
// Usage: node deploy/kubernetes/validate.mjs [kustomize dir | file.yaml ...]
// Prints one line per object; exits 1 when any object is invalid or of a kind it cannot check.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as core from 'kubernetes-models/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

const MODELS = {
  'v1/ConfigMap': core.ConfigMap,
  'v1/Secret': core.Secret,
  'v1/Service': core.Service,
  'v1/ServiceAccount': core.ServiceAccount,
  'apps/v1/Deployment': apps.Deployment,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscaling.HorizontalPodAutoscaler,
  'monitoring.coreos.com/v1/ServiceMonitor': monitoring.ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': monitoring.PrometheusRule,
};

const here = dirname(fileURLToPath(import.meta.url));
const targets = process.argv.slice(2);
if (targets.length === 0) targets.push(join(here, 'overlays', 'example'));

function load(target) {
  if (statSync(target).isDirectory()) {
    // stderr (kustomize v5's deprecation notes about the v2-compatible spellings) is not shown.
    return execFileSync('kubectl', ['kustomize', target], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  return readFileSync(target, 'utf8');
}

let failed = 0;
let checked = 0;
for (const target of targets) {
  for (const doc of parseAllDocuments(load(target))) {
    if (doc.errors.length > 0) {
      console.log(`INVALID ${target}: YAML: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const object = doc.toJS();
    if (!object) continue;
    const id = `${object.apiVersion}/${object.kind}`;
    const name = `${id} ${object.metadata?.name ?? '?'}`;
    const Model = MODELS[id];
    if (!Model) {
      console.log(`INVALID ${name}: no schema for this kind here`);
      failed++;
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`ok ${name}`);
      checked++;
    } catch (error) {
      console.log(`INVALID ${name}: ${error instanceof Error ? error.message : String(error)}`);
      failed++;
    }
  }
}
console.log(`${checked} valid, ${failed} invalid`);
process.exit(failed > 0 || checked === 0 ? 1 : 0);
